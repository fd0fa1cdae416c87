using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// Sends finished spans to a Zipkin collector in the background; a request only ever does a TryWrite.
/// <code>
///   Report(span) ─ TryWrite(bounded queue) ─ full? drop, count ─ BatchSize queued? wake the sender
///   timer (TimeProvider, every FlushInterval) ─ wake the sender
///   sender: take up to BatchSize ─ POST /api/v2/spans ─ fails? once more ─ fails again? drop the batch, count
///   DisposeAsync: stop taking spans, send what is queued, give up at ShutdownDeadline
/// </code>
/// </summary>
internal sealed class ZipkinExporter : IAsyncDisposable
{
    private readonly ZipkinOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly ILogger _logger;
    private readonly Channel<ZipkinSpan> _queue;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _abort = new();
    private readonly ITimer _timer;
    private readonly Task _sender;
    private long _sent;
    private long _dropped;
    private long _failed;
    private long _batches;

    public ZipkinExporter(ZipkinOptions options, TimeProvider time, HttpMessageHandler? handler = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _client = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each POST gets RequestTimeout on the injected clock instead
        };
        _queue = Channel.CreateBounded<ZipkinSpan>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the span is dropped and counted
        });
        _timer = time.CreateTimer(static state => ((ZipkinExporter)state!).Wake(), this, options.FlushInterval, options.FlushInterval);
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Spans the collector accepted.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Spans dropped because the queue was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Spans dropped because their batch failed twice (or was still unsent at the shutdown deadline).</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>POSTs the collector accepted.</summary>
    public long Batches => Volatile.Read(ref _batches);

    public int Pending => _queue.Reader.Count;

    /// <summary>Queues a finished span; never waits. False when it was dropped.</summary>
    public bool Report(ZipkinSpan span)
    {
        if (!_queue.Writer.TryWrite(span))
        {
            // Full, or stopped (a request finishing during shutdown): either way the span is not sent.
            if (Interlocked.Increment(ref _dropped) == 1 && !_queue.Reader.Completion.IsCompleted)
            {
                HttpTelemetryLog.ZipkinDropping(_logger, _options.QueueCapacity);
            }

            return false;
        }

        if (_queue.Reader.Count >= _options.BatchSize)
        {
            Wake();
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete())
        {
            return;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        Wake();
        try
        {
            await _sender.WaitAsync(_options.ShutdownDeadline, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var unsent = _queue.Reader.Count;
            HttpTelemetryLog.ZipkinShutdownIncomplete(_logger, unsent, _options.ShutdownDeadline);
            await _abort.CancelAsync().ConfigureAwait(false);
            await _sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Interlocked.Add(ref _failed, _queue.Reader.Count);
        }

        _client.Dispose();
        _abort.Dispose();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<ZipkinSpan>(_options.BatchSize);
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                await _wake.WaitAsync(_abort.Token).ConfigureAwait(false);
                while (reader.TryRead(out var span))
                {
                    batch.Add(span);
                    if (batch.Count == _options.BatchSize)
                    {
                        await SendAsync(batch).ConfigureAwait(false);
                    }
                }

                if (batch.Count > 0)
                {
                    await SendAsync(batch).ConfigureAwait(false);
                }

                if (reader.Completion.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            Interlocked.Add(ref _failed, batch.Count);
        }
    }

    private async Task SendAsync(List<ZipkinSpan> batch)
    {
        var body = ZipkinJson.Serialize(batch);
        for (var attempt = 1; ; attempt++)
        {
            var failure = await PostAsync(body).ConfigureAwait(false);
            if (failure is null)
            {
                Interlocked.Add(ref _sent, batch.Count);
                Interlocked.Increment(ref _batches);
                break;
            }

            if (attempt == 2)
            {
                HttpTelemetryLog.ZipkinBatchDropped(_logger, _options.Collector, batch.Count, failure);
                Interlocked.Add(ref _failed, batch.Count);
                break;
            }

            HttpTelemetryLog.ZipkinRetry(_logger, _options.Collector, batch.Count, failure);
        }

        batch.Clear();
    }

    /// <summary>Null when the collector took the batch (any 2xx; Zipkin answers 202), else why not.</summary>
    private async Task<string?> PostAsync(byte[] body)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _abort.Token);
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _client.PostAsync(_options.Collector, content, linked.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"status {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_abort.IsCancellationRequested)
        {
            return $"no answer within {_options.RequestTimeout}";
        }
    }
}
