using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Waylay.Bench.Control;
using Waylay.Discovery;
using Waylay.Discovery.V1;

// control-bench WAYLAY SERVICES ENDPOINTS PROXIES: starts `WAYLAY control` on 127.0.0.1 with SERVICES Services (one
// manifest file), registers SERVICES×ENDPOINTS pods through the Registration service, connects PROXIES streams, then
// times an endpoint change (one pod NOT_READY) and a route change (a VirtualService file written) until every proxy
// has received the new version of that type. Prints one Markdown table row per change.
var waylay = args[0];
var services = int.Parse(args[1], CultureInfo.InvariantCulture);
var endpoints = int.Parse(args[2], CultureInfo.InvariantCulture);
var proxies = int.Parse(args[3], CultureInfo.InvariantCulture);
const int Port = 25110;
const int DebugPort = 25114;

var directory = Directory.CreateTempSubdirectory("wl-bench-control-").FullName;
try
{
    var manifests = new StringBuilder();
    for (var s = 0; s < services; s++)
    {
        manifests.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{s}, namespace: default}}\nspec:\n  clusterIP: 10.96.{s / 250}.{s % 250 + 1}\n  selector: {{app: svc-{s}}}\n  ports: [{{name: http, port: 9080}}]\n---\n");
    }

    File.WriteAllText(Path.Combine(directory, "services.yaml"), manifests.ToString());
    using var control = Process.Start(new ProcessStartInfo(waylay, ["control", "-f", directory, "--listen", "127.0.0.1", "--port", $"{Port}", "--debug-port", $"{DebugPort}",
        "--log-level", "warn", "--poll-interval", "100ms"]) { RedirectStandardError = true })!;
    using var killControl = new DisposableAction(() => { if (!control.HasExited) { control.Kill(); } });
    using var http = new HttpClient();
    await Until(async () => { try { return (await http.GetAsync($"http://127.0.0.1:{DebugPort}/ready")).IsSuccessStatusCode; } catch (HttpRequestException) { return false; } });

    // :: Register every endpoint as a runtime would.
    using (var registration = GrpcChannel.ForAddress($"http://127.0.0.1:{Port}"))
    {
        var client = new Registration.RegistrationClient(registration);
        var pending = new List<Task>();
        for (var s = 0; s < services; s++)
        {
            for (var e = 0; e < endpoints; e++)
            {
                pending.Add(client.ReportAsync(Pod(s, e, PodEvent.Types.Phase.Ready)).ResponseAsync);
                if (pending.Count == 50)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }
        }

        await Task.WhenAll(pending);
    }

    // :: Connect the proxies and wait until each has every type (the initial sync is over) with all endpoints.
    var fleet = Enumerable.Range(0, proxies).Select(i => new BenchProxy(i, $"http://127.0.0.1:{Port}")).ToList();
    var streams = fleet.Select(p => p.RunAsync()).ToList();
    await Until(() => Task.FromResult(fleet.All(p => p.EndpointCount == services * endpoints && TypeUrls.Subscribed.All(t => p.Version(t) > 0))), TimeSpan.FromMinutes(5));
    var before = ProcessStats.Read(control.Id);

    // :: 1. An endpoint change: one pod becomes not ready.
    var endpointVersion = fleet.Max(p => p.Version(TypeUrls.Endpoints));
    var started = Stopwatch.GetTimestamp();
    using (var registration = GrpcChannel.ForAddress($"http://127.0.0.1:{Port}"))
    {
        await new Registration.RegistrationClient(registration).ReportAsync(Pod(0, 0, PodEvent.Types.Phase.NotReady));
    }

    var endpointRow = await Measure("endpoint (one pod not ready)", fleet, TypeUrls.Endpoints, endpointVersion, started);

    // :: 2. A route change: a VirtualService file appears (the file source polls every 100 ms here).
    var routeVersion = fleet.Max(p => p.Version(TypeUrls.VirtualServices));
    started = Stopwatch.GetTimestamp();
    File.WriteAllText(Path.Combine(directory, "vs.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: svc-0, namespace: default}\nspec:\n  hosts: [svc-0]\n  http: [{timeout: 5s, route: [{destination: {host: svc-0}}]}]\n");
    var routeRow = await Measure("route (one VirtualService written)", fleet, TypeUrls.VirtualServices, routeVersion, started);
    var after = ProcessStats.Read(control.Id);

    Console.WriteLine($"| change | proxies | p50 | p99 | max | bytes per proxy | control CPU during both changes | control RSS (peak) |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
    Console.WriteLine(endpointRow + $" {after.CpuSeconds - before.CpuSeconds:F2} s | {after.RssMb:F0} MB ({after.PeakMb:F0} MB) |");
    Console.WriteLine(routeRow + " (same) | (same) |");
    Console.WriteLine($"initial sync: {services} services, {services * endpoints} endpoints to {proxies} proxies; control CPU so far {before.CpuSeconds:F1} s, RSS {before.RssMb:F0} MB");
    foreach (var proxy in fleet)
    {
        proxy.Stop();
    }

    await Task.WhenAll(streams);
    control.Kill();
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static PodEvent Pod(int service, int endpoint, PodEvent.Types.Phase phase)
{
    var pod = new PodEvent { Phase = phase, Name = $"svc-{service}-{endpoint}", Namespace = "default", Node = "bench" };
    var n = (service * 10) + endpoint;
    pod.Ips.Add($"10.{244 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}");
    pod.Labels.Add("app", $"svc-{service}");
    return pod;
}

static async Task<string> Measure(string what, List<BenchProxy> fleet, string type, long previous, long started)
{
    await Until(() => Task.FromResult(fleet.All(p => p.Version(type) > previous)), TimeSpan.FromMinutes(2));
    var times = fleet.Select(p => Stopwatch.GetElapsedTime(started, p.ReceivedAt(type)).TotalMilliseconds).Order().ToList();
    var bytes = fleet.Average(p => p.LastBytes(type));
    string Ms(double v) => $"{v:F0} ms";
    return $"| {what} | {fleet.Count} | {Ms(times[times.Count / 2])} | {Ms(times[(int)(times.Count * 0.99)])} | {Ms(times[^1])} | {bytes / 1024:F0} KiB |";
}

static async Task Until(Func<Task<bool>> condition, TimeSpan? limit = null)
{
    var deadline = Stopwatch.GetTimestamp();
    while (!await condition())
    {
        if (Stopwatch.GetElapsedTime(deadline) > (limit ?? TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("the benchmark's condition was not met in time");
        }

        await Task.Delay(20);
    }
}

internal sealed class DisposableAction(Action action) : IDisposable
{
    public void Dispose() => action();
}
