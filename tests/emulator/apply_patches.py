#!/usr/bin/env python3
"""Apply the test bed's find/replace patches to an installed npm package, or fail loudly.

Usage: apply_patches.py PACKAGE_DIR PATCH_FILE...

A patch file holds comment lines (starting with `#`) and blocks of this form, applied in order:

    ### FILE: lib/path/inside/the/package.js
    <<<<<<< FIND
    exact text, found exactly once
    =======
    its replacement
    >>>>>>> REPLACE

Every FIND text must occur exactly once in its file, otherwise nothing is written and the exit
status is 1, so a new upstream version cannot be patched silently wrong. A block whose
replacement is already present exactly once counts as applied (re-running is safe).
Python standard library only, so `patch(1)` is not needed on the machine.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

FILE_MARK = "### FILE: "
FIND_MARK = "<<<<<<< FIND"
SPLIT_MARK = "======="
END_MARK = ">>>>>>> REPLACE"


@dataclass
class Block:
    patch: str
    number: int
    path: str
    find: str
    replace: str


class PatchError(Exception):
    pass


def parse(patch_path: str) -> list[Block]:
    with open(patch_path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    blocks: list[Block] = []
    path: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(FILE_MARK):
            path = line[len(FILE_MARK) :].strip()
        elif line == FIND_MARK:
            if path is None:
                raise PatchError(f"{patch_path}:{i + 1}: FIND block before any '{FILE_MARK}' line")
            find, i = take_until(lines, i + 1, SPLIT_MARK, patch_path)
            replace, i = take_until(lines, i + 1, END_MARK, patch_path)
            blocks.append(Block(patch_path, len(blocks) + 1, path, find, replace))
        elif line.strip() and not line.startswith("#"):
            raise PatchError(f"{patch_path}:{i + 1}: unexpected text outside a block: {line!r}")
        i += 1
    if not blocks:
        raise PatchError(f"{patch_path}: no blocks")
    return blocks


def take_until(lines: list[str], start: int, mark: str, patch_path: str) -> tuple[str, int]:
    for end in range(start, len(lines)):
        if lines[end] == mark:
            return "\n".join(lines[start:end]), end
    raise PatchError(f"{patch_path}:{start}: missing '{mark}'")


def apply(package_dir: str, patch_paths: list[str]) -> None:
    contents: dict[str, str] = {}
    for patch_path in patch_paths:
        for block in parse(patch_path):
            target = os.path.join(package_dir, block.path)
            if target not in contents:
                if not os.path.isfile(target):
                    raise PatchError(f"{patch_path} block {block.number}: no file {block.path}")
                with open(target, encoding="utf-8") as handle:
                    contents[target] = handle.read()
            text = contents[target]
            found = text.count(block.find)
            if block.replace and text.count(block.replace) == 1:
                # Checked first: a replacement often contains its own FIND text.
                print(f"{os.path.basename(patch_path)} block {block.number}: already applied")
            elif found == 1:
                contents[target] = text.replace(block.find, block.replace, 1)
            else:
                raise PatchError(
                    f"{patch_path} block {block.number}: the FIND text occurs {found} times in "
                    f"{block.path} (expected exactly once); is this the pinned package version?"
                )
    for target, text in contents.items():
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(f"applied {len(patch_paths)} patch file(s) to {package_dir}")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        apply(argv[0], argv[1:])
    except PatchError as error:
        print(f"apply_patches: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
