using System.Buffers;
using System.Text;

namespace Waylay.Proxy.Http.Tests;

/// <summary>Builds the byte sequences a PipeReader would hand over, in as many segments as a test wants.</summary>
internal static class Bytes
{
    public static byte[] Of(string text) => Encoding.Latin1.GetBytes(text);

    public static ReadOnlySequence<byte> Sequence(string text, params int[] cuts) => Sequence(Of(text), cuts);

    /// <summary>The bytes split into segments at <paramref name="cuts"/> (ascending offsets).</summary>
    public static ReadOnlySequence<byte> Sequence(byte[] data, params int[] cuts)
    {
        if (cuts.Length == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null, last = null;
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            var piece = data.AsMemory(start, cut - start);
            if (first is null)
            {
                first = last = new Segment(piece, 0);
            }
            else
            {
                last = last!.Append(piece);
            }

            start = cut;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    public static string Text(in ReadOnlySequence<byte> bytes) => Encoding.Latin1.GetString(bytes.ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
