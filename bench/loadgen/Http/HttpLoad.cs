using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.LoadGen.Http;

/// <summary>
/// HTTP/1.1 keep-alive load over N connections, one thread each with a blocking socket (a blocked recv wakes straight
/// up when the response lands: no thread-pool hop in the measured path).
/// <para>Open loop (rate &gt; 0), like wrk2: request k of connection c is due at t0 + (k·N + c)/rate, and its latency
/// is counted from that due time, not from when it was sent. A slow response therefore also charges the requests that
/// queued behind it (no coordinated omission). Every request due before the end is sent, however late; a run that
/// cannot keep up shows it as an achieved rate below the target. Requests still unsent 5 s after the end are
/// abandoned and reported as unsent.</para>
/// <para>Closed loop (rate = 0): each connection sends its next request as soon as the last response is in, for
/// the maximum rate; latency is then from send to response.</para>
/// </summary>
internal static class HttpLoad
{
    private const long GraceNs = 5_000_000_000;

    public static HttpLoadResult Run(IPEndPoint target, string host, double rate, double seconds, int connections, string path = "/")
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: waylay-loadgen\r\nAccept: */*\r\n\r\n");
        var expected = rate > 0 ? (int)(rate * seconds / connections) + 16 : 1 << 16;
        var workers = new Worker[connections];
        for (var c = 0; c < connections; c++)
        {
            workers[c] = new Worker(target, request, expected);
            workers[c].Connect();
        }

        // Start everyone on one schedule a little in the future, so thread start-up is not charged to the first requests.
        var t0 = MonotonicClock.NowNs + 20_000_000;
        var endNs = t0 + (long)(seconds * 1e9);
        var threads = new Thread[connections];
        for (var c = 0; c < connections; c++)
        {
            var worker = workers[c];
            var index = c;
            threads[c] = new Thread(() => worker.Run(t0, endNs, rate, index, connections)) { IsBackground = true, Name = $"conn-{c}" };
            threads[c].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var finished = workers.Max(w => w.LastNs);
        var all = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(all);
        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        return new HttpLoadResult(rate, all.Length, workers.Sum(w => w.Errors), workers.Sum(w => w.Unsent), (Math.Max(finished, endNs) - t0) / 1e9, all);
    }

    private sealed class Worker(IPEndPoint target, byte[] request, int expected) : IDisposable
    {
        private Socket? socket;
        private HttpResponseReader? reader;

        public List<long> Latencies { get; } = new(expected);

        public long Errors { get; private set; }

        public long Unsent { get; private set; }

        public long LastNs { get; private set; }

        public void Connect()
        {
            socket?.Dispose();
            socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(target);
            reader = new HttpResponseReader(socket);
        }

        public void Run(long t0, long endNs, double rate, int index, int connections)
        {
            var intervalNs = rate > 0 ? 1e9 * connections / rate : 0;
            for (long k = 0; ; k++)
            {
                long due;
                if (rate > 0)
                {
                    due = t0 + (long)((k * connections + index) * 1e9 / rate);
                    if (due >= endNs)
                    {
                        break;
                    }

                    if (MonotonicClock.NowNs > endNs + GraceNs)
                    {
                        Unsent += (long)((endNs - due) / intervalNs) + 1;
                        break;
                    }

                    MonotonicClock.SleepUntil(due);
                }
                else
                {
                    due = MonotonicClock.NowNs;
                    if (due < t0)
                    {
                        MonotonicClock.SleepUntil(t0);
                        due = t0;
                    }
                    else if (due >= endNs)
                    {
                        break;
                    }
                }

                try
                {
                    socket!.Send(request);
                    var status = reader!.ReadResponse();
                    var now = MonotonicClock.NowNs;
                    LastNs = now;
                    if (status is >= 200 and < 300)
                    {
                        Latencies.Add(now - due);
                    }
                    else
                    {
                        Errors++;
                    }

                    if (reader.MustClose)
                    {
                        Connect();
                    }
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    Errors++;
                    try
                    {
                        Connect();
                    }
                    catch (SocketException)
                    {
                        // Keep to the schedule: the next due request tries again.
                    }
                }
            }
        }

        public void Dispose() => socket?.Dispose();
    }
}
