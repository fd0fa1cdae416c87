namespace Waylay.Proxy.Tests.Kernel;

/// <summary>Bounded polling for a condition another process brings about; fails with what was last seen, never asserts a time.</summary>
internal static class Wait
{
    public static Task UntilAsync(Func<Task<bool>> condition, string what, int attempts = 150) => UntilAsync(condition, () => what, attempts);

    /// <summary>The same, the failure's text made when it fails (so it can tell what was last seen).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, int attempts = 150)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"gave up waiting for {what()}");
    }
}
