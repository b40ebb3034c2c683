from groundqa.cli import main

main()
