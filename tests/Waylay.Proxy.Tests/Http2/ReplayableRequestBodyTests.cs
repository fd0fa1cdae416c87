using Waylay.Proxy.Http.Http2;
using Xunit;

namespace Waylay.Proxy.Tests.Http2;

/// <summary><c>src/Waylay.Proxy/Http/Http2/ReplayableRequestBody.cs</c>.</summary>
public sealed class ReplayableRequestBodyTests
{
    [Fact]
    public async Task AfterRewind_ATryReadsTheKeptBytesThenTheRest_ByteForByte()
    {
        var body = new byte[50_000]; // three full 16 KiB segments and part of a fourth
        new Random(3).NextBytes(body);
        await using var replay = new ReplayableRequestBody(new MemoryStream(body));

        // The first try reads part of the body (odd sizes, across segment ends) before it fails.
        var first = await ReadAsync(replay, 40_001, chunk: 7_001);
        Assert.Equal(body.AsSpan(0, first.Length).ToArray(), first);
        Assert.Equal(first.Length, replay.Kept);

        replay.Rewind();
        Assert.Equal(body, await ReadAsync(replay, int.MaxValue, chunk: 5_000));

        // and a third try again, all of it from the buffer now
        replay.Rewind();
        Assert.Equal(body, await ReadAsync(replay, int.MaxValue, chunk: 65_536));
    }

    [Fact]
    public async Task OverTheLimit_NothingIsKept_AndTheBodyCannotBeSentAgain()
    {
        var body = new byte[ReplayableRequestBody.Limit + 1];
        await using var replay = new ReplayableRequestBody(new MemoryStream(body));

        Assert.Equal(ReplayableRequestBody.Limit, (await ReadAsync(replay, ReplayableRequestBody.Limit, chunk: 65_536)).Length);
        Assert.True(replay.CanReplay); // exactly the limit still fits

        Assert.Single(await ReadAsync(replay, int.MaxValue, chunk: 65_536));
        Assert.False(replay.CanReplay);
        Assert.Equal(0, replay.Kept);
        Assert.Throws<InvalidOperationException>(replay.Rewind);
    }

    [Fact]
    public async Task Held_TheAbandonedTryReadsNothingMore_UntilTheNextTryRewinds()
    {
        await using var replay = new ReplayableRequestBody(new MemoryStream([1, 2, 3, 4]));
        var buffer = new byte[2];
        Assert.Equal(2, await replay.ReadAsync(buffer));

        replay.Hold();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => replay.ReadAsync(buffer).AsTask());
        Assert.Equal(2, replay.Kept);

        replay.Rewind();
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await ReadAsync(replay, int.MaxValue, chunk: 3));
    }

    [Fact]
    public async Task Forgotten_WhenTheResponseGoesDownstream_TheTryStillGetsItsWholeBody_ButNothingIsKept()
    {
        var body = new byte[40_000];
        new Random(5).NextBytes(body);
        await using var replay = new ReplayableRequestBody(new MemoryStream(body));
        await ReadAsync(replay, 30_000, chunk: 10_000);
        replay.Rewind();

        // The retry's response is committed while it is still replaying the kept bytes.
        Assert.Equal(body.AsSpan(0, 10_000).ToArray(), await ReadAsync(replay, 10_000, chunk: 10_000));
        replay.Forget();
        Assert.False(replay.CanReplay);
        Assert.Equal(body.AsSpan(10_000).ToArray(), await ReadAsync(replay, int.MaxValue, chunk: 8_192));
        Assert.Equal(0, replay.Kept);
        Assert.Throws<InvalidOperationException>(replay.Rewind);
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int max, int chunk)
    {
        var result = new MemoryStream();
        var buffer = new byte[chunk];
        while (result.Length < max)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(chunk, max - result.Length)));
            if (read == 0)
            {
                break;
            }

            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }
}
