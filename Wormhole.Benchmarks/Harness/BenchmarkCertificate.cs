using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// The <c>wormhole-tls</c> row's certificate: the server makes a self-signed one for <c>localhost</c> and 127.0.0.1 at
/// start-up and announces its thumbprint (<c>announce tls-thumbprint …</c>); the client trusts that one certificate.
/// </summary>
internal static class BenchmarkCertificate
{
    /// <summary>A new self-signed server certificate (ECDSA P-256) with its private key.</summary>
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Client options that trust exactly the certificate with <paramref name="thumbprint"/>, for <c>localhost</c>.</summary>
    public static SslClientAuthenticationOptions Trusting(string thumbprint) => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
            && string.Equals(certificate?.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
    };
}
