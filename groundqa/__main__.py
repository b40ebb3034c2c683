from groundqa.service.cli import main

main()
