namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>Bounded polling for a condition another process brings about; fails with what was last seen, never asserts a time.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int attempts = 150, Func<Task<string>>? lastSeen = null)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        var seen = lastSeen is null ? "" : $"; last seen: {await lastSeen()}";
        throw new Xunit.Sdk.XunitException($"gave up waiting for {what}{seen}");
    }

    public static Task UntilAsync(Func<bool> condition, string what, int attempts = 150, Func<string>? lastSeen = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, attempts, lastSeen is null ? null : () => Task.FromResult(lastSeen()));
}
