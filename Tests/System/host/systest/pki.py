"""This run's throwaway licensing PKI, made with the `openssl` program at test time.

The same kind of PKI as Tests/TestSupport/TestPKI.swift: a P-256 root (the device's
keyring) and a codeSigning signer under it; licenses are signed exactly as
LICENSE-FORMAT.md says the vendor signs them:

    openssl cms -sign -binary -nodetach -md sha256 -in doc.json -signer signer.crt
        -inkey signer.key -outform PEM -out X.lic

A second, separate CA issues the https certificate of the UMS that scenario ums-delivery
runs on the guest's loopback.
"""

import datetime
import json
import os

from .commands import run

EXTENSIONS = """\
[ req ]
distinguished_name = subject
[ subject ]
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_code ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_tls ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
"""


def today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def day(offset_days: int) -> str:
    """Today (UTC) plus offset_days, as YYYY-MM-DD."""
    return (today() + datetime.timedelta(days=offset_days)).isoformat()


class LicensingPKI:
    def __init__(self, directory: str):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.extensions = self._path("extensions.cnf")
        with open(self.extensions, "w") as handle:
            handle.write(EXTENSIONS)
        self._make_root("root", "/O=System Test Vendor/CN=System Test Licensing Root")
        self._issue("signer", "/O=System Test Vendor/CN=System Test License Signer", "root", "v3_code")
        self._make_root("ums-ca", "/O=System Test UMS/CN=System Test UMS CA")
        self._issue("ums-server", "/CN=localhost", "ums-ca", "v3_tls")
        self.keyring = self._path("root.crt")
        self.ums_ca = self._path("ums-ca.crt")
        self.ums_certificate = self._path("ums-server.crt")
        self.ums_key = self._path("ums-server.key")

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def _key(self, name: str) -> str:
        key = self._path(f"{name}.key")
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        return key

    def _make_root(self, name: str, subject: str) -> None:
        run(["openssl", "req", "-new", "-x509", "-key", self._key(name), "-subj", subject, "-days", "3650",
             "-sha256", "-extensions", "v3_ca", "-config", self.extensions, "-out", self._path(f"{name}.crt")],
            env={"OPENSSL_CONF": self.extensions})

    def _issue(self, name: str, subject: str, issuer: str, section: str) -> None:
        request = self._path(f"{name}.csr")
        run(["openssl", "req", "-new", "-key", self._key(name), "-subj", subject, "-out", request],
            env={"OPENSSL_CONF": self.extensions})
        run(["openssl", "x509", "-req", "-in", request, "-CA", self._path(f"{issuer}.crt"),
             "-CAkey", self._path(f"{issuer}.key"), "-CAcreateserial", "-days", "3000", "-sha256",
             "-extfile", self.extensions, "-extensions", section, "-out", self._path(f"{name}.crt")],
            quiet=True)

    def sign(self, document: dict, output_path: str) -> str:
        """Signs the license document into output_path (PEM CMS) and returns the path."""
        source = output_path + ".json"
        with open(source, "w") as handle:
            json.dump(document, handle)
        run(["openssl", "cms", "-sign", "-binary", "-nodetach", "-md", "sha256", "-in", source,
             "-signer", self._path("signer.crt"), "-inkey", self._path("signer.key"),
             "-outform", "PEM", "-out", output_path])
        os.unlink(source)
        return output_path


def license_document(license_id: str, product: str, units, starts: str, expires: str,
                     model: str = "subscription") -> dict:
    """A format-1 license document (LICENSE-FORMAT.md), issued now.

    Issued now, not earlier: the agent requires `issued` to fall inside the validity of
    every certificate of the chain, and this run's certificates were made seconds ago.
    """
    issued = datetime.datetime.now(datetime.timezone.utc)
    return {"format": 1, "licenseId": license_id, "issued": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "product": product, "model": model, "packId": license_id, "starts": starts,
            "expires": expires, "units": list(units)}
