using MultiModalIndexer.Common;

namespace MultiModalIndexer.Tests.Common;

public class ProjectPathsTests
{
    [Fact]
    public void Root_is_the_checkout()
    {
        Assert.NotNull(ProjectPaths.Root);
        Assert.True(File.Exists(Path.Combine(ProjectPaths.Root!, "MultiModalIndexer.sln")));
    }
}
