using Microsoft.Playwright;
using MultiModalIndexer.Common;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Daemon;

namespace MultiModalIndexer.Tests.Browser;

/// <summary>
/// The search page in headless Debian Chromium (driven by Playwright's bundled node driver; no
/// browser download): type a query, see highlighted snippets, click a result, the video plays from
/// that moment. Leaves a screenshot in artifacts/screenshots/.
/// </summary>
public sealed class SearchPageBrowserTests
{
    public static string ScreenshotDir => Path.Combine(ProjectPaths.Root ?? Path.GetTempPath(), "artifacts", "screenshots");

    [Fact]
    public async Task Query_shows_highlighted_results_and_click_plays_the_moment()
    {
        await using var s = await DaemonTestServer.StartAsync("browser");
        var manifesto = await s.AddVideoAsync("books/manifesto.webm", "Manifesto of the Communist Party",
        [
            (0, 4, "A spectre is haunting Europe, the spectre of communism.", "MANIFESTO OF THE COMMUNIST PARTY"),
            (4, 8, "一个幽灵，共产主义的幽灵，在欧洲游荡。", "共产党宣言 第一章"),
            (8, 12, "Workers of the world, unite! <img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>", "Chapter I"),
        ]);
        await s.AddVideoAsync("lectures/history-of-europe.webm", "History of Europe, lecture 7",
        [
            (0, 6, "In 1848 revolutions spread across Europe; the communist manifesto appeared in London.", "1848 · Revolutions"),
            (6, 12, "The spectre metaphor opens the text.", "Europe 1848"),
        ]);

        using var playwright = await Playwright.CreateAsync();
        var profile = TestPaths.NewScratchDir("chromium-profile");
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
            ],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-US",
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("favicon")) consoleErrors.Add(m.Text); };

        await page.GotoAsync(s.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => document.querySelector('#status').classList.contains('ok')");
        Assert.Contains("2 videos", await page.InnerTextAsync("#status"));
        Assert.Equal(["", "media"], await page.Locator("#source option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        // A query in words: results with the matching words highlighted.
        await page.FillAsync("#q", "communist spectre");
        await page.SelectOptionAsync("#mode", "text");
        await page.PressAsync("#q", "Enter");
        await page.WaitForSelectorAsync(".hit");
        var marks = await page.Locator(".hit .snippet em").AllInnerTextsAsync();
        Assert.Contains(marks, m => m.Equals("communist", StringComparison.OrdinalIgnoreCase) || m.Equals("COMMUNIST", StringComparison.Ordinal));
        Assert.Contains(marks, m => m.Equals("spectre", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("0:00 – 0:04", await page.Locator(".hit .time").AllInnerTextsAsync());

        // Markup in indexed text is shown as text, never run.
        await page.FillAsync("#q", "workers unite");
        await page.PressAsync("#q", "Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('.hit .snippet') && document.querySelector('.hit .snippet').textContent.includes('onerror')");
        Assert.Contains("<script>", await page.Locator(".hit .snippet").First.InnerTextAsync());
        Assert.Equal(0, await page.Locator(".hit .snippet script, .hit .snippet img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));

        // Chinese query (hybrid), then click the moment: the player loads /media/{id}#t=4 and seeks to 4 s.
        await page.FillAsync("#q", "共产党宣言");
        await page.SelectOptionAsync("#mode", "hybrid");
        await page.PressAsync("#q", "Enter");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.hit .snippet em')].some(e => e.textContent.includes('共产'))");
        var target = page.Locator($".hit[data-segment='{manifesto.Segments[1].Id}']");
        await target.ClickAsync();
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#video'); return v.readyState >= 1 && v.currentTime >= 3.9; }");
        var src = await page.EvalOnSelectorAsync<string>("#video", "v => v.currentSrc || v.src");
        Assert.EndsWith($"/media/{manifesto.Id}#t=4", src);
        var currentTime = await page.EvalOnSelectorAsync<double>("#video", "v => v.currentTime");
        Assert.InRange(currentTime, 3.9, 8.0);
        Assert.False(await page.Locator("#player").IsHiddenAsync());
        Assert.Contains("0:04 – 0:08", await page.InnerTextAsync("#player-time"));
        await page.EvalOnSelectorAsync("#video", "v => v.pause()");

        Directory.CreateDirectory(ScreenshotDir);
        var shot = Path.Combine(ScreenshotDir, "search-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);

        Assert.Equal(0, dialogs);
        Assert.Empty(consoleErrors);
    }
}
