using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Waylay.Proxy.Http.Http1;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>The pump task itself: client bytes into the current try's writer and the replay buffer.</summary>
internal sealed partial class RequestBodyPump
{
    /// <summary>The pump: client bytes into the current writer (and the buffer), until the body ends or the exchange does.</summary>
    private async Task RunAsync()
    {
        ReadResult read = default;
        var buffer = ReadOnlySequence<byte>.Empty;
        var holding = false;
        while (true)
        {
            if (!holding)
            {
                read = await _input.ReadAsync(_cancellationToken).ConfigureAwait(false);
                buffer = read.Buffer;
                holding = true;
            }

            Task? resume = null;
            await _gate.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                if (_stopping)
                {
                    _input.AdvanceTo(buffer.Start, read.Buffer.End);
                    return;
                }

                // A try's writer, else the drain once the exchange is answered (nothing goes on), else a wait for the next try.
                var sink = _sink;
                SequencePosition consumed = default, examined = default;
                var step = sink is not null ? Forward(ref buffer, read.IsCompleted, sink, out consumed, out examined)
                    : _discarding ? Discard(ref buffer, read.IsCompleted, out consumed, out examined)
                    : Step.Frozen;
                switch (step)
                {
                    case Step.Frozen:
                        resume = Resume();
                        break;
                    case Step.NeedMoreData:
                        _input.AdvanceTo(consumed, examined);
                        holding = false;
                        if (read.IsCompleted)
                        {
                            // The client ended mid-body: the upstream never gets the rest, as before retries.
                            _failed = true;
                            return;
                        }

                        if (sink is not null)
                        {
                            await FlushAsync(sink).ConfigureAwait(false);
                        }

                        break;
                    case Step.Complete:
                        _input.AdvanceTo(consumed, examined);
                        _complete = true;
                        if (sink is not null && await FlushAsync(sink).ConfigureAwait(false))
                        {
                            _completedSink = sink;
                        }

                        return;
                    default:
                        _input.AdvanceTo(consumed, examined);
                        return;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (resume is not null)
            {
                await resume.ConfigureAwait(false);
            }
        }
    }

    private enum Step
    {
        NeedMoreData,
        Complete,
        Error,

        /// <summary>The drain reached its byte limit before the body's end.</summary>
        Overflow,

        /// <summary>A try ended: the rest of the buffer waits, unconsumed, for the next one.</summary>
        Frozen,
    }

    /// <summary>
    /// Writes what <paramref name="buffer"/> holds of the body into <paramref name="sink"/> and the replay buffer,
    /// piece by piece; <paramref name="buffer"/> is left at the first piece not taken.
    /// </summary>
    private Step Forward(ref ReadOnlySequence<byte> buffer, bool isFinalBlock, PipeWriter sink, out SequencePosition consumed, out SequencePosition examined)
    {
        while (true)
        {
            Http1BodyStatus status;
            ReadOnlySequence<byte> data;
            lock (_sync)
            {
                if (_frozen)
                {
                    consumed = examined = buffer.Start;
                    return Step.Frozen;
                }

                status = _body.Read(buffer, isFinalBlock, out data, out consumed, out examined, out var error);
                switch (status)
                {
                    case Http1BodyStatus.Data:
                        Volatile.Write(ref _bytesRead, _body.BytesRead);
                        Keep(data);
                        break;
                    case Http1BodyStatus.Complete when _chunked:
                        if (_kept.Reserve(_body.Trailers.Length + 5))
                        {
                            ChunkedEncoder.WriteEnd(_kept, _body.Trailers);
                        }

                        break;
                    case Http1BodyStatus.Error:
                        _failed = true;
                        if (error != Http1Error.UnexpectedEndOfBody)
                        {
                            _malformed = error;
                        }

                        break;
                }
            }

            switch (status)
            {
                case Http1BodyStatus.Data:
                    Write(sink, data);
                    buffer = buffer.Slice(consumed);
                    continue;
                case Http1BodyStatus.NeedMoreData:
                    return Step.NeedMoreData;
                case Http1BodyStatus.Complete:
                    if (_chunked)
                    {
                        ChunkedEncoder.WriteEnd(sink, _body.Trailers);
                    }

                    return Step.Complete;
                default:
                    if (_malformed != Http1Error.None)
                    {
                        Abort();
                    }

                    return Step.Error;
            }
        }
    }

    /// <summary>
    /// The client's body is malformed after the head went upstream: that request can never end well, so its
    /// connection is shut down (Envoy resets the upstream stream), which also ends the try's wait for an answer; the
    /// try then answers 400 if nothing was answered yet (<see cref="Malformed"/>), and the connection is not pooled.
    /// </summary>
    private void Abort()
    {
        try
        {
            _connection?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // closed already
        }
    }

    /// <summary>Into the replay buffer while the body fits (a chunk line and its CRLFs take at most 20 bytes more).</summary>
    private void Keep(in ReadOnlySequence<byte> data)
    {
        if (!_kept.Reserve(data.Length + (_chunked ? 20 : 0)))
        {
            return;
        }

        Write(_kept, data);
    }

    private void Write(IBufferWriter<byte> writer, in ReadOnlySequence<byte> data)
    {
        if (_chunked)
        {
            ChunkedEncoder.WriteChunk(writer, data);
            return;
        }

        foreach (var segment in data)
        {
            writer.Write(segment.Span);
        }
    }

    /// <summary>Flushes into a try's writer; false when that connection is lost (the try finds out from its response).</summary>
    private async ValueTask<bool> FlushAsync(PipeWriter sink)
    {
        try
        {
            var flush = await sink.FlushAsync(_cancellationToken).ConfigureAwait(false);
            if (!flush.IsCanceled && !flush.IsCompleted)
            {
                return true;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException
            || e is OperationCanceledException && !_cancellationToken.IsCancellationRequested)
        {
            // the upstream connection failed under the write
        }

        if (_sink == sink)
        {
            _sink = null;
        }

        return false;
    }

    /// <summary>The replay's flush, holding the gate the attach took.</summary>
    private async Task FlushReplayAsync(PipeWriter sink)
    {
        try
        {
            if (await FlushAsync(sink).ConfigureAwait(false) && _complete)
            {
                _completedSink = sink;
            }
        }
        catch (OperationCanceledException)
        {
            // the connection is being closed by the proxy
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task Resume() => (_resume ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
}
