"""A tiny corpus and its 'changed' version, so crash and reload tests stay fast yet tell old from new."""

from __future__ import annotations

from pathlib import Path

OLD = {
    "bone.txt": "Bone metastases\n\nBone is a common site of spread for breast cancer. Pain from bone metastases "
                "is often relieved by a short course of radiotherapy.\n",
    "liver.txt": "Liver metastases\n\nWhen cancer spreads to the liver, surgery may remove a few small lesions. "
                 "Chemotherapy is used when the lesions are many.\n",
}
NEW_TERM = "zoledronic acid"
CHANGED = {
    "bone.txt": OLD["bone.txt"] + "\nBisphosphonates such as zoledronic acid lower the risk of fractures.\n",
    "brain.txt": "Brain metastases\n\nStereotactic radiosurgery treats a few small brain metastases precisely.\n",
    # Many repeated lines: indexed once, but slow enough to sentence-split that a kill lands while loading.
    "chrome.txt": "Opening hours\n\n" + "\n".join(f"Clinic note {i % 5}: the helpline is open on weekdays from "
                                                 "nine to five." for i in range(3000)) + "\n",
}
QUESTIONS = ("What relieves pain from bone metastases?", "How are liver metastases treated?")


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
