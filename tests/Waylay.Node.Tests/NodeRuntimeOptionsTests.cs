namespace Waylay.Node.Tests;

public sealed class NodeRuntimeOptionsTests
{
    [Fact]
    public void Validate_NamesEveryProblemAndItsFix()
    {
        var errors = new NodeRuntimeOptions { RunId = "Too-Long-Id", StateRoot = "relative", CniPluginDirectory = "/nonexistent" }.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("1 to 8 lower-case letters or digits", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("give an absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("apt-get install containernetworking-plugins", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_RefusesALiveOrCrashedRunsStateDirectory()
    {
        var root = Directory.CreateTempSubdirectory("wl-node-options-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "run1"));

            var error = Assert.Throws<InvalidOperationException>(() => NodeRuntime.Create(new NodeRuntimeOptions { RunId = "run1", StateRoot = root.FullName }));

            Assert.Contains("tear it down first", error.Message);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
