"""How fast an upload is hashed and spooled to disk, against `sha256sum` on the same bytes.

`make bench`: writes a 256 MB file in a temporary directory, then, best of 3 each, times
`sha256sum` on it and our upload path on it: the file fed to HashingUploadHandler chunk by chunk
with the handler's chunk size, as Django's multipart parser does, temporary-file writes included.
Prints the throughput of both (MB = 2**20 bytes, as UPLOAD_MAX_MB) and the ratio ours/sha256sum.

Then the same upload stored through the encrypted storage (hdsready/storage: AES-256-GCM
segments written as the file is read), and read back decrypted and hashed as every download is
checked (evidence_version_open), each against sha256sum on the plaintext.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        written = 0
        while written < size:
            block = os.urandom(min(4 * MB, size - written))
            out.write(block)
            written += len(block)


def best_of(runs: int, action: Callable[[], None]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description="Upload hashing throughput against sha256sum.")
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mb * MB
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        sys.exit("sha256sum not found (coreutils)")

    with tempfile.TemporaryDirectory(prefix="hdsready-bench-") as tmp:
        from django.conf import settings

        # Only what the handler reads: the limit (above the file) and where temp files go.
        from hdsready.encryption import Keyring

        settings.configure(
            UPLOAD_MAX_BYTES=size + 1,
            FILE_UPLOAD_TEMP_DIR=tmp,
            EVIDENCE_KEYS=Keyring({"bench": os.urandom(32)}),
        )
        import hashlib

        from django.core.files import File

        from evidence.uploads import HashingUploadHandler
        from hdsready.storage import EncryptedFileSystemStorage

        storage = EncryptedFileSystemStorage(location=str(Path(tmp) / "media"))

        source = Path(tmp) / "evidence.bin"
        make_file(source, size)

        def run_sha256sum() -> None:
            subprocess.run(  # noqa: S603 (our own temporary file, no shell)
                [sha256sum, str(source)], check=True, stdout=subprocess.DEVNULL
            )

        digests: list[str] = []

        stored_names: list[str] = []

        def run_upload(*, store: bool = False) -> None:
            handler = HashingUploadHandler()
            handler.new_file("file", "evidence.pdf", "application/pdf", size)
            received = 0
            with source.open("rb", buffering=0) as body:
                while chunk := body.read(handler.chunk_size):
                    handler.receive_data_chunk(chunk, received)
                    received += len(chunk)
            upload = handler.file_complete(received)
            digests.append(upload.sha256)
            if store:  # as evidence_version_add saves it
                storage.delete("evidence/bench")
                stored_names.append(storage.save("evidence/bench", File(upload)))
            upload.close()  # removes the temporary file, as Django does at the end of a request

        def run_read_check() -> None:
            digest = hashlib.sha256()
            with storage.open(stored_names[-1]) as plain:
                while chunk := plain.read(MB):
                    digest.update(chunk)
            digests.append(digest.hexdigest())

        ours = best_of(args.runs, run_upload)
        stored = best_of(args.runs, lambda: run_upload(store=True))
        read_check = best_of(args.runs, run_read_check)
        theirs = best_of(args.runs, run_sha256sum)
        # coreutils may be built without OpenSSL (no SHA-NI), Python's hashlib is not: openssl's
        # own figure, when it is installed, shows what the hardware can do.
        openssl = shutil.which("openssl")
        openssl_time = None
        if openssl is not None:

            def run_openssl() -> None:
                subprocess.run(  # noqa: S603 (our own temporary file, no shell)
                    [openssl, "dgst", "-sha256", str(source)], check=True, stdout=subprocess.DEVNULL
                )

            openssl_time = best_of(args.runs, run_openssl)
        expected = subprocess.run(  # noqa: S603 (our own temporary file, no shell)
            [sha256sum, str(source)], check=True, capture_output=True, text=True
        ).stdout.split()[0]
        if set(digests) != {expected}:
            sys.exit(f"upload hashing gave {digests}, sha256sum {expected}")

    ours_rate, theirs_rate = size / MB / ours, size / MB / theirs
    print(
        f"upload hashing: {ours_rate:.0f} MB/s, sha256sum: {theirs_rate:.0f} MB/s, "
        f"ratio {ours_rate / theirs_rate:.2f} ({args.size_mb} MB, best of {args.runs})"
    )
    stored_rate, read_rate = size / MB / stored, size / MB / read_check
    print(
        f"upload hashed and stored encrypted: {stored_rate:.0f} MB/s, "
        f"ratio {stored_rate / theirs_rate:.2f}; "
        f"read back decrypted and hash-checked: {read_rate:.0f} MB/s, "
        f"ratio {read_rate / theirs_rate:.2f} (against sha256sum)"
    )
    if openssl_time is not None:
        openssl_rate = size / MB / openssl_time
        print(
            f"openssl dgst -sha256: {openssl_rate:.0f} MB/s, "
            f"ratio ours/openssl {ours_rate / openssl_rate:.2f}"
        )


if __name__ == "__main__":
    main()
