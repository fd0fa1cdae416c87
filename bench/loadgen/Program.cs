using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Waylay.LoadGen.Http;

// loadgen sink|echo PORT                               servers (run until killed)
// loadgen throughput IP PORT SECONDS STREAMS           prints bytes/s sent through to a sink
// loadgen connrate IP PORT SECONDS CONCURRENCY         prints completed connect/1-byte echo/close cycles per second
// loadgen hold IP PORT COUNT SECONDS                   opens COUNT echo connections, holds them, prints "held N"
// loadgen http-hold IP PORT COUNT SECONDS [HOST]       opens COUNT HTTP/1.1 connections, one GET on each at once, holds
//                                                      them idle for SECONDS, prints "held N errors=E"
// loadgen http-server PORT [BODY_BYTES]                HTTP/1.1 keep-alive server, 200 with a BODY_BYTES body (100)
// loadgen http IP PORT RATE SECONDS CONNECTIONS [HOST] HTTP/1.1 keep-alive GETs at RATE requests/s (open loop, latency
//                                                      from each request's due time), or as fast as answered (RATE 0);
//                                                      prints "target= requests= errors= unsent= seconds= rate= p50= p90=
//                                                      p99= p999= max=" (latencies in ms)
var mode = args[0];
var inv = CultureInfo.InvariantCulture;
switch (mode)
{
    case "sink":
    case "echo":
        await ServeAsync(int.Parse(args[1], inv), mode == "echo");
        return 0;
    case "throughput":
        Console.WriteLine((await ThroughputAsync(Ep(args[1], args[2]), double.Parse(args[3], inv), int.Parse(args[4], inv))).ToString("F0", inv));
        return 0;
    case "connrate":
        Console.WriteLine((await ConnRateAsync(Ep(args[1], args[2]), double.Parse(args[3], inv), int.Parse(args[4], inv))).ToString("F0", inv));
        return 0;
    case "hold":
        return await HoldAsync(Ep(args[1], args[2]), int.Parse(args[3], inv), double.Parse(args[4], inv));
    case "http-hold":
        return await HttpHold.RunAsync(Ep(args[1], args[2]), args.Length > 5 ? args[5] : $"{args[1]}:{args[2]}", int.Parse(args[3], inv), double.Parse(args[4], inv));
    case "http-server":
        await HttpServer.ServeAsync(int.Parse(args[1], inv), args.Length > 2 ? int.Parse(args[2], inv) : 100);
        return 0;
    case "http":
    {
        var target = Ep(args[1], args[2]);
        var host = args.Length > 6 ? args[6] : $"{args[1]}:{args[2]}";
        var result = HttpLoad.Run(target, host, double.Parse(args[3], inv), double.Parse(args[4], inv), int.Parse(args[5], inv));
        Console.WriteLine(result.Format());
        return result.Requests > 0 ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: loadgen sink|echo PORT | throughput IP PORT SECONDS STREAMS | connrate IP PORT SECONDS CONCURRENCY | hold IP PORT COUNT SECONDS | http-hold IP PORT COUNT SECONDS [HOST] | http-server PORT [BODY_BYTES] | http IP PORT RATE SECONDS CONNECTIONS [HOST]");
        return 2;
}

static IPEndPoint Ep(string ip, string port) => new(IPAddress.Parse(ip), int.Parse(port, CultureInfo.InvariantCulture));

static async Task ServeAsync(int port, bool echo)
{
    using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
    listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
    listener.Listen(4096);
    while (true)
    {
        var client = await listener.AcceptAsync();
        client.NoDelay = true;
        _ = Task.Run(async () =>
        {
            using (client)
            {
                var buffer = new byte[echo ? 4096 : 256 * 1024];
                try
                {
                    int read;
                    while ((read = await client.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                    {
                        if (echo)
                        {
                            await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                        }
                    }
                }
                catch (SocketException)
                {
                }
            }
        });
    }
}

static async Task<double> ThroughputAsync(IPEndPoint target, double seconds, int streams)
{
    long total = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target);
        var buffer = new byte[256 * 1024];
        Random.Shared.NextBytes(buffer);
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            Interlocked.Add(ref total, await socket.SendAsync(buffer, SocketFlags.None));
        }

        socket.Shutdown(SocketShutdown.Send);
    }));
    return total / stop.Elapsed.TotalSeconds;
}

static async Task<double> ConnRateAsync(IPEndPoint target, double seconds, int concurrency)
{
    long done = 0, failed = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var one = new byte[1];
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            // One full, graceful exchange per cycle: connect, 1 byte each way, FIN, wait for the peer's FIN. A cycle
            // that takes over 5 s is abandoned, not counted (a stuck relay must not hang the benchmark).
            using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await socket.ConnectAsync(target, deadline.Token);
                await socket.SendAsync(one, SocketFlags.None, deadline.Token);
                if (await socket.ReceiveAsync(one, SocketFlags.None, deadline.Token) != 1)
                {
                    continue;
                }

                socket.Shutdown(SocketShutdown.Send);
                if (await socket.ReceiveAsync(one, SocketFlags.None, deadline.Token) == 0)
                {
                    Interlocked.Increment(ref done);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }));
    if (failed > 0)
    {
        Console.Error.WriteLine($"connrate: {failed} cycles failed or timed out");
    }

    return done / stop.Elapsed.TotalSeconds;
}

static async Task<int> HoldAsync(IPEndPoint target, int count, double seconds)
{
    var sockets = new List<Socket>();
    var one = new byte[1];
    for (var i = 0; i < count; i++)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target);
        await socket.SendAsync(one, SocketFlags.None);
        await socket.ReceiveAsync(one, SocketFlags.None);
        sockets.Add(socket);
    }

    Console.WriteLine($"held {sockets.Count}");
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    sockets.ForEach(s => s.Dispose());
    return 0;
}
