namespace Waylay.Proxy.Tests.Kernel;

/// <summary>Bounded polling for a condition another process brings about; fails with what was last seen, never asserts a time.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int attempts = 150)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"gave up waiting for {what}");
    }
}
