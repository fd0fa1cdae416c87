namespace Waylay.Control.Tests.EndToEnd;

/// <summary>Bounded polling for what another process brings about; fails with what was last seen, never asserts a time.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, Func<Task<string>> lastSeen, int attempts = 300)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"gave up waiting for {what}; last seen: {await lastSeen()}");
    }
}
