using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// Moves one message body from a connection to the next hop, re-framed by the proxy: Content-Length bodies as they
/// are, chunked bodies as canonical chunks (plus trailers), until-close bodies until the sender's FIN. The payload is
/// never copied into buffers of our own: the reader's segments go straight into the writer. Responses and tunnels take
/// this path; a request body goes through <see cref="RequestBodyPump"/>, which also keeps it for a retry.
/// </summary>
internal static class BodyCopier
{
    /// <summary>What the copy ended with: the bytes of payload and whether the body was complete.</summary>
    public readonly record struct Result(long Bytes, Http1BodyStatus Status, Http1Error Error)
    {
        public bool Complete => Status == Http1BodyStatus.Complete;
    }

    /// <param name="chunkedOut">Write the payload as chunks (the received framing was chunked and the receiver speaks 1.1).</param>
    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    public static async ValueTask<Result> CopyAsync(PipeReader input, Http1BodyReader body, PipeWriter output, bool chunkedOut, CancellationToken cancellationToken)
    {
        long bytes = 0;

        // A body that is over before it starts (no body, Content-Length: 0) must not wait for a byte that never comes.
        if (body.Read(ReadOnlySequence<byte>.Empty, false, out _, out _, out _, out _) == Http1BodyStatus.Complete)
        {
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new Result(0, Http1BodyStatus.Complete, Http1Error.None);
        }

        while (true)
        {
            var read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            Http1BodyStatus status;
            SequencePosition consumed, examined;
            Http1Error error;

            // Drain what is buffered before waiting: the last Data of a body is followed by Complete without a new byte.
            while ((status = body.Read(buffer, read.IsCompleted, out var data, out consumed, out examined, out error)) == Http1BodyStatus.Data)
            {
                bytes += data.Length;
                if (chunkedOut)
                {
                    ChunkedEncoder.WriteChunk(output, data);
                }
                else
                {
                    foreach (var segment in data)
                    {
                        output.Write(segment.Span);
                    }
                }

                buffer = buffer.Slice(consumed);
            }

            switch (status)
            {
                case Http1BodyStatus.NeedMoreData:
                    input.AdvanceTo(consumed, examined);
                    if (read.IsCompleted)
                    {
                        return new Result(bytes, Http1BodyStatus.Error, Http1Error.UnexpectedEndOfBody);
                    }

                    if ((await output.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
                    {
                        return new Result(bytes, Http1BodyStatus.Error, Http1Error.None);
                    }

                    break;
                case Http1BodyStatus.Complete:
                    if (chunkedOut)
                    {
                        ChunkedEncoder.WriteEnd(output, body.Trailers);
                    }

                    input.AdvanceTo(consumed, examined);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    return new Result(bytes, Http1BodyStatus.Complete, Http1Error.None);
                default:
                    input.AdvanceTo(consumed, examined);
                    return new Result(bytes, Http1BodyStatus.Error, error);
            }
        }
    }

    /// <summary>An opaque stream one way (after a 101 or a CONNECT): until the sender's FIN, then FIN the receiver.</summary>
    public static async Task<long> TunnelAsync(PipeReader input, PipeWriter output, CancellationToken cancellationToken)
    {
        long bytes = 0;
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var segment in read.Buffer)
            {
                output.Write(segment.Span);
            }

            bytes += read.Buffer.Length;
            input.AdvanceTo(read.Buffer.End);
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (read.IsCompleted || flush.IsCompleted)
            {
                return bytes;
            }
        }
    }
}
