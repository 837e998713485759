from types import SimpleNamespace

import pytest

from certificates.issuing import certificate_authority, personal_certificate, revocation_list


@pytest.fixture
def pki(tmp_path, settings):
    """A CA trusted by the settings (bundle and CRL in files), a certificate for a person, and
    the means to make more; `revoke(cert)` rewrites the CRL file."""
    ca = certificate_authority(name="测试CA")
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(ca.pem)
    crl = tmp_path / "ca.crl"
    crl.write_bytes(revocation_list(ca=ca))
    settings.CA_TRUST_BUNDLE = str(bundle)
    settings.CA_CRL_SOURCES = [str(crl)]
    settings.CA_CRL_UNAVAILABLE = "fail_closed"

    def issue(**kwargs):
        kwargs.setdefault("cn", "财政甲")
        kwargs.setdefault("o", "普陀区财政局")
        return personal_certificate(ca=ca, **kwargs)

    def revoke(*certificates):
        crl.write_bytes(revocation_list(ca=ca, revoked=[c.certificate for c in certificates]))

    return SimpleNamespace(ca=ca, bundle=bundle, crl=crl, issue=issue, revoke=revoke, person=issue())
