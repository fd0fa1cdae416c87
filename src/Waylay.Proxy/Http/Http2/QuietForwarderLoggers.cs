using Microsoft.Extensions.Logging;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The loggers YARP's forwarder gets. YARP logs every failed request (an upstream refused, a client gone) at
/// Information or Warning with its exception; for a sidecar those are per-request outcomes that the access log and
/// the response flags already report, so they are demoted to Debug here. Everything else passes unchanged.
/// </summary>
internal sealed class QuietForwarderLoggers(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Yarp.", StringComparison.Ordinal) ? new DebugOnly(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // the host owns the inner factory
    }

    private sealed class DebugOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(Demote(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(Demote(logLevel), eventId, state, exception, formatter);

        private static LogLevel Demote(LogLevel level) => level is LogLevel.Information or LogLevel.Warning ? LogLevel.Debug : level;
    }
}
