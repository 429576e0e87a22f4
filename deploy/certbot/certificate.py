"""Certificate helpers for certbot.sh, using the cryptography package that certbot itself needs
(present in the official certbot/certbot image and in Debian's certbot).

  certificate.py temporary DIR NAME...   write a self-signed fullchain.pem/chain.pem/privkey.pem
                                         for NAME... into DIR (nginx starts on it; 30 days)
  certificate.py info FILE               print: not_after_epoch serial_hex temporary(0|1)
"""

import datetime
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Marks the temporary certificate, so `info` (and the metrics) can tell it from a real one.
TEMPORARY_ORG = "GoGoTime temporary certificate (waiting for ACME)"


def write_atomically(path, data, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def temporary(directory, names):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEMPORARY_ORG),
        x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    os.makedirs(directory, exist_ok=True)
    # key first: nginx reloads when fullchain.pem changes and must find the matching key
    write_atomically(
        os.path.join(directory, "privkey.pem"),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        0o600,
    )
    write_atomically(os.path.join(directory, "chain.pem"), pem)
    write_atomically(os.path.join(directory, "fullchain.pem"), pem)


def info(path):
    with open(path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    # cryptography >= 42 has the timezone-aware property; older releases only the naive one
    not_after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(
        tzinfo=datetime.timezone.utc
    )
    orgs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    is_temporary = any(a.value == TEMPORARY_ORG for a in orgs)
    print(int(not_after.timestamp()), format(cert.serial_number, "x"), int(is_temporary))


def main(argv):
    if len(argv) >= 3 and argv[0] == "temporary":
        temporary(argv[1], argv[2:])
    elif len(argv) == 2 and argv[0] == "info":
        info(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
