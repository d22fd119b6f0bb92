using MultiModalIndexer.Daemon;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Daemon;

public sealed class DaemonConfigurationTests
{
    private static DaemonConfigurationException Invalid(Dictionary<string, string?> settings) =>
        Assert.Throws<DaemonConfigurationException>(() => DaemonHost.Build([], new DaemonHostOptions
        {
            Settings = settings,
            ComposeCore = (_, _) => { },
        }));

    [Fact]
    public void Invalid_settings_fail_before_listening_and_say_what_to_fix()
    {
        var e = Invalid(new()
        {
            ["Api:Urls"] = "ftp://127.0.0.1:21",
            ["Api:AdminKey"] = "short",
            ["Api:MaxJsonBodyBytes"] = "10",
            ["Daemon:WatchDebounceSeconds"] = "0",
            ["Sources:0:Name"] = "a",
            ["Sources:0:Root"] = "/definitely/not/here",
            ["Sources:0:Schedule"] = "every five minutes",
            ["Sources:1:Name"] = "a",
            ["Sources:1:Root"] = "/tmp",
        });
        var all = string.Join("\n", e.Errors);
        Assert.Contains("Api:Urls entry 'ftp://127.0.0.1:21'", all);
        Assert.Contains("Api:AdminKey is shorter than 16", all);
        Assert.Contains("Api:MaxJsonBodyBytes", all);
        Assert.Contains("Daemon:WatchDebounceSeconds", all);
        Assert.Contains("Sources:0:Root '/definitely/not/here' does not exist", all);
        Assert.Contains("Sources:0:Schedule 'every five minutes' is not a valid Quartz cron", all);
        Assert.Contains("Sources:1:Name 'a' is used twice", all);
        Assert.Equal(7, e.Errors.Count);
    }

    [Fact]
    public async Task Appsettings_environment_and_overrides_layer_in_order()
    {
        Environment.SetEnvironmentVariable("MMI__DaemonTestProbe__Value", "from-env");
        Environment.SetEnvironmentVariable("MMI__DaemonTestProbe__Other", "from-env");
        try
        {
            // Two roots with the same folder name (the same root twice is an error: one source validator).
            var scratch = TestPaths.NewScratchDir("layer");
            var (first, second) = (Path.Combine(scratch, "a", "media"), Path.Combine(scratch, "b", "media"));
            Directory.CreateDirectory(first);
            Directory.CreateDirectory(second);
            await using var app = DaemonHost.Build([], new DaemonHostOptions
            {
                Urls = "http://127.0.0.1:0",
                MediaRoots = [first, second],
                Settings = new Dictionary<string, string?> { ["DaemonTestProbe:Other"] = "from-override" },
                ComposeCore = (_, _) => { },
            });
            Assert.Equal("1048576", app.Configuration["Api:MaxJsonBodyBytes"]); // shipped appsettings.json
            Assert.Equal("from-env", app.Configuration["DaemonTestProbe:Value"]);
            Assert.Equal("from-override", app.Configuration["DaemonTestProbe:Other"]);
            Assert.Equal("http://127.0.0.1:0", app.Configuration["Api:Urls"]);
            const string name = "media";
            Assert.Equal(name, app.Configuration["Sources:0:Name"]);
            Assert.Equal(name + "-2", app.Configuration["Sources:1:Name"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MMI__DaemonTestProbe__Value", null);
            Environment.SetEnvironmentVariable("MMI__DaemonTestProbe__Other", null);
        }
    }
}
