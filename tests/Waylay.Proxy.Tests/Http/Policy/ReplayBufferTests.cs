using System.Buffers;
using System.Security.Cryptography;
using Waylay.Proxy.Http.Policy;
using Xunit;

namespace Waylay.Proxy.Tests.Http.Policy;

/// <summary>The kept request body: whatever the sizes of the pieces written, it copies out whole and in order, up to 1 MiB.</summary>
public sealed class ReplayBufferTests
{
    [Fact]
    public void PiecesOfAnySize_UpToTheLimit_CopyOutWholeAndInOrder()
    {
        var buffer = new ReplayBuffer();
        var body = RandomNumberGenerator.GetBytes(ReplayBuffer.EnvoyLimit);
        var written = 0;
        var sizes = new[] { 1, 17, 4095, 16 * 1024, 100_000, 3 };
        for (var i = 0; written < body.Length; i++)
        {
            var piece = Math.Min(sizes[i % sizes.Length], body.Length - written);
            Assert.True(buffer.Reserve(piece));

            // A chunk line asks for a few bytes at a time, as ChunkedEncoder does.
            if (piece == 3)
            {
                body.AsSpan(written, piece).CopyTo(buffer.GetSpan(18));
                buffer.Advance(piece);
            }
            else
            {
                buffer.Write(body.AsSpan(written, piece));
            }

            written += piece;
        }

        Assert.Equal(body.Length, buffer.Length);
        var copy = new ArrayBufferWriter<byte>();
        buffer.CopyTo(copy);
        Assert.Equal(body, copy.WrittenSpan.ToArray());

        // One byte more than Envoy's limit: everything goes back to the pool and nothing more is kept.
        Assert.False(buffer.Reserve(1));
        Assert.True(buffer.Dropped);
        Assert.Equal(0, buffer.Length);
        Assert.False(buffer.Reserve(1));

        buffer.Reset();
        Assert.False(buffer.Dropped);
        Assert.True(buffer.Reserve(1));
    }
}
