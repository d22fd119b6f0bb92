using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Stores.OpenSearch;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>
/// Real TLS: a Kestrel HTTPS endpoint whose certificate is signed by a freshly generated private CA; the store's
/// HTTP stack (OpenSearchHttp) must trust exactly that CA and send basic auth over it.
/// </summary>
public sealed class OpenSearchTlsTests
{
    private static (X509Certificate2 Ca, X509Certificate2 Leaf) MakeChain(string name)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest($"CN={name} test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caReq.PublicKey, false));
        var ca = caReq.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var leafKey = RSA.Create(2048);
        var leafReq = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafReq.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        leafReq.CertificateExtensions.Add(san.Build());
        leafReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var signed = leafReq.Create(ca, now.AddHours(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(leafKey);
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca, leaf);
    }

    private sealed class Server(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public string? SeenAuthorization { get; set; }
        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    private static async Task<Server> StartAsync(X509Certificate2 leaf)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(leaf)));
        var app = builder.Build();
        Server? server = null;
        app.MapGet("/_cluster/health", (HttpContext ctx) =>
        {
            server!.SeenAuthorization = ctx.Request.Headers.Authorization;
            return Results.Text("""{"cluster_name":"tls-test","status":"green","number_of_nodes":1}""", "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new Server(app, $"https://localhost:{new Uri(address).Port}");
        return server;
    }

    private static string WritePem(X509Certificate2 ca)
    {
        var path = Path.Combine(TestPaths.NewScratchDir("os-tls"), "ca.pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }

    [Fact]
    public async Task The_store_trusts_a_cluster_signed_by_the_configured_CA_and_sends_basic_auth()
    {
        var (ca, leaf) = MakeChain("trusted");
        await using var server = await StartAsync(leaf);
        var options = new OpenSearchOptions { Url = server.Url, Username = "admin", Password = "pw", CaCertificatePath = WritePem(ca), MaxRetries = 0 };
        Assert.Empty(options.Validate());
        using var http = OpenSearchHttp.CreateClient(options);
        await using var store = new OpenSearchStore(options, http);
        var health = await store.HealthAsync();
        Assert.True(health.Healthy, health.Detail);
        Assert.Contains("tls-test", health.Detail);
        Assert.Equal("Basic " + Convert.ToBase64String("admin:pw"u8.ToArray()), server.SeenAuthorization);
    }

    [Fact]
    public async Task A_cluster_signed_by_another_CA_is_refused()
    {
        var (_, leaf) = MakeChain("server");
        var (otherCa, _) = MakeChain("other");
        await using var server = await StartAsync(leaf);
        foreach (var caPath in new[] { WritePem(otherCa), null })
        {
            var options = new OpenSearchOptions { Url = server.Url, CaCertificatePath = caPath, MaxRetries = 0 };
            using var http = OpenSearchHttp.CreateClient(options);
            await using var store = new OpenSearchStore(options, http);
            var health = await store.HealthAsync();
            Assert.False(health.Healthy);
            Assert.Contains("unreachable", health.Detail);
            Assert.Null(server.SeenAuthorization);
        }
    }

    [Fact]
    public void A_host_name_mismatch_is_never_waived_by_the_custom_CA()
    {
        var (ca, leaf) = MakeChain("names");
        var roots = new X509Certificate2Collection(ca);
        Assert.True(OpenSearchHttp.ValidateAgainstCustomRoots(leaf, null, SslPolicyErrors.RemoteCertificateChainErrors, roots));
        Assert.False(OpenSearchHttp.ValidateAgainstCustomRoots(leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch, roots));
        Assert.False(OpenSearchHttp.ValidateAgainstCustomRoots(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, roots));
    }

    [Fact]
    public void A_missing_or_non_PEM_CA_file_is_a_clear_error()
    {
        Assert.Throws<FileNotFoundException>(() => OpenSearchHttp.LoadCaCertificates("/nonexistent/ca.pem"));
        var bad = Path.Combine(TestPaths.NewScratchDir("os-tls"), "bad.pem");
        File.WriteAllText(bad, "not a certificate");
        var e = Assert.Throws<InvalidOperationException>(() => OpenSearchHttp.LoadCaCertificates(bad));
        Assert.Contains("PEM", e.Message);
        Assert.Contains(new OpenSearchOptions { Url = "https://x:9200", CaCertificatePath = "/nonexistent/ca.pem" }.Validate(), m => m.Contains("CaCertificatePath"));
    }
}
