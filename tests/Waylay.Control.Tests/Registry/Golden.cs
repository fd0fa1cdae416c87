using Waylay.TestKit;

namespace Waylay.Control.Tests.Registry;

/// <summary>Compares text with a golden file under the test output, or rewrites the checkout's copy with <c>WAYLAY_UPDATE_GOLDEN=1</c>.</summary>
internal static class Golden
{
    public static void Check(string relativePath, string text)
    {
        if (Environment.GetEnvironmentVariable("WAYLAY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(Checkout.Root, "tests", "Waylay.Control.Tests", relativePath), text);
            return;
        }

        var golden = Path.Combine(AppContext.BaseDirectory, relativePath);
        Assert.True(File.Exists(golden), $"{golden} is missing; run the tests once with WAYLAY_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(golden), text);
    }
}
