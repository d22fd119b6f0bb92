using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>
/// Builds the HTTP stack for a cluster: basic auth and TLS whose chain is validated against a custom CA
/// (OpenSearch's demo/self-managed certificates are rarely signed by a public CA).
/// </summary>
public static class OpenSearchHttp
{
    /// <summary>
    /// A SocketsHttpHandler. With <see cref="OpenSearchOptions.CaCertificatePath"/> set, the server chain must end
    /// in one of the PEM's certificates (CustomRootTrust; the system store is not consulted) and the host name must match.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(OpenSearchOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        };
        if (options.CaCertificatePath is { Length: > 0 } caPath)
        {
            var roots = LoadCaCertificates(caPath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, chain, errors) => ValidateAgainstCustomRoots(cert, chain, errors, roots),
            };
        }
        return handler;
    }

    /// <summary>An HttpClient over <see cref="CreateHandler"/> with the cluster URL as base address and basic auth.</summary>
    public static HttpClient CreateClient(OpenSearchOptions options)
    {
        var client = new HttpClient(CreateHandler(options), disposeHandler: true)
        {
            BaseAddress = new Uri(options.Url.TrimEnd('/') + "/"),
            // Per-request timeouts are enforced by the store (OpenSearchOptions.RequestTimeout) so retries stay bounded.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (OpenSearchTransport.BasicAuth(options.Username, options.Password) is { } auth)
            client.DefaultRequestHeaders.Authorization = auth;
        return client;
    }

    /// <summary>All certificates of a PEM file (a bundle may hold root + intermediates).</summary>
    public static X509Certificate2Collection LoadCaCertificates(string pemPath)
    {
        if (!File.Exists(pemPath))
            throw new FileNotFoundException($"CA certificate file '{pemPath}' does not exist (Store:OpenSearch:CaCertificatePath).", pemPath);
        var certs = new X509Certificate2Collection();
        try { certs.ImportFromPemFile(pemPath); }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException($"'{pemPath}' is not a PEM certificate file: {e.Message}", e);
        }
        if (certs.Count == 0)
            throw new InvalidOperationException($"'{pemPath}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----).");
        return certs;
    }

    internal static bool ValidateAgainstCustomRoots(X509Certificate? presented, X509Chain? presentedChain,
        SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (presented is null) return false;
        // The name check is independent of who signed the certificate: never waive it.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Private CAs rarely publish CRL/OCSP endpoints reachable from here.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
            foreach (var element in presentedChain.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(leaf);
    }
}
