using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// One line per request, written by a background task so a slow stdout never holds a request:
/// <code>
///   request thread: Write(entry) ─ format into a pooled buffer ─ TryWrite(bounded channel) ─ full? drop, count
///   writer task:    read ─ TextWriter.Write(line) ─ return the buffer ─ Flush when the queue is empty
/// </code>
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<Line> _queue;
    private readonly TextWriter _output;
    private readonly ILogger _logger;
    private readonly LineBufferPool _buffers;
    private readonly Task _writer;
    private long _written;
    private long _dropped;
    private long _failed;

    public AccessLog(TextWriter output, AccessLogFormat format, int capacity = 4096, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _output = output;
        Format = format;
        Capacity = capacity;
        _logger = logger ?? NullLogger.Instance;
        _buffers = new LineBufferPool(Math.Min(capacity, 1024) + 1);
        _queue = Channel.CreateBounded<Line>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of evicting: the drop is counted
        });
        _writer = Task.Run(WriteLinesAsync);
    }

    public AccessLogFormat Format { get; }

    public int Capacity { get; }

    /// <summary>Lines handed to the output.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Lines dropped because the queue was full (the output is slower than the traffic).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Formats the line now (the head may be reused after this returns) and queues it; never waits.</summary>
    public void Write(in AccessLogEntry entry)
    {
        var line = AccessLogFormatter.Format(entry, Format, _buffers.Rent());
        if (_queue.Writer.TryWrite(new Line(line.Buffer, line.Length)))
        {
            return;
        }

        _buffers.Return(line.Buffer);
        if (Interlocked.Increment(ref _dropped) == 1)
        {
            HttpTelemetryLog.AccessLogDropping(_logger, Capacity);
        }
    }

    /// <summary>The line as <see cref="Write"/> would queue it, for tests and for writers that log synchronously.</summary>
    public static string FormatLine(in AccessLogEntry entry, AccessLogFormat format)
    {
        var line = AccessLogFormatter.Format(entry, format, new char[LineBufferPool.BufferLength]);
        return new string(line.Buffer, 0, line.Length);
    }

    /// <summary>Stops taking lines and waits until those queued are written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    /// <summary>
    /// Stops taking lines and waits for the queued ones at most <paramref name="deadline"/> (an output nobody reads
    /// must not hold the proxy's exit). True when every queued line was written.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan deadline, TimeProvider time)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(deadline, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task WriteLinesAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                try
                {
                    await _output.WriteAsync(line.Buffer.AsMemory(0, line.Length)).ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    if (Interlocked.Increment(ref _failed) == 1)
                    {
                        HttpTelemetryLog.AccessLogFailed(_logger, e.Message);
                    }
                }
                finally
                {
                    _buffers.Return(line.Buffer);
                }
            }

            try
            {
                await _output.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                HttpTelemetryLog.AccessLogFailed(_logger, e.Message);
            }
        }
    }

    private readonly record struct Line(char[] Buffer, int Length);
}
