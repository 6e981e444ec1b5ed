using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Tests.Support;

/// <summary>
/// Certificates the TLS tests make for themselves (nothing is checked in): a certificate authority, server certificates
/// for <c>localhost</c> and 127.0.0.1 it issues, client certificates it issues, and TLS options that trust that authority
/// alone.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority)
    {
        Authority = authority;
        Server = Issue("CN=localhost", serverAuth: true);
    }

    /// <summary>The test authority (self-signed, with its private key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>A server certificate for <c>localhost</c> and 127.0.0.1, issued by <see cref="Authority"/>.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A new authority and a server certificate it issued.</summary>
    public static TestCertificates Create(string authorityName = "Wormhole Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={authorityName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestCertificates(Reloaded(authority));
    }

    /// <summary>A certificate issued by <see cref="Authority"/>: for a server (<c>localhost</c>, 127.0.0.1) or a client.</summary>
    public X509Certificate2 Issue(string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reloaded(withKey);
    }

    /// <summary>A chain policy that trusts <see cref="Authority"/> alone, without revocation checks.</summary>
    public X509ChainPolicy TrustingAuthority()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Authority);
        return policy;
    }

    /// <summary>Client options for <c>localhost</c> that trust <see cref="Authority"/> alone, with an optional client certificate.</summary>
    public SslClientAuthenticationOptions Client(string targetHost = "localhost", X509Certificate2? clientCertificate = null) => new()
    {
        TargetHost = targetHost,
        CertificateChainPolicy = TrustingAuthority(),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
    };

    /// <summary>Server options with <see cref="Server"/>; client certificates from <see cref="Authority"/>, asked for or required.</summary>
    public SslServerAuthenticationOptions ServerOptions(bool clientCertificateRequired = false) => new()
    {
        ServerCertificate = Server,
        ClientCertificateRequired = clientCertificateRequired,
        CertificateChainPolicy = TrustingAuthority(),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,

        // Without a required certificate, a client that sends none is fine: only a certificate it does send must chain to the authority.
        RemoteCertificateValidationCallback = clientCertificateRequired ? null : (_, _, _, errors) => errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateNotAvailable,
    };

    public void Dispose()
    {
        Server.Dispose();
        Authority.Dispose();
    }

    /// <summary>Through PKCS#12 and back, so that the private key is a persisted one every TLS stack accepts.</summary>
    private static X509Certificate2 Reloaded(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
}
