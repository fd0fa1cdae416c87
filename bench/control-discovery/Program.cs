using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Waylay.Bench.Control;
using Waylay.Discovery;
using Waylay.Discovery.V1;

// control-bench WAYLAY SERVICES ENDPOINTS PROXIES [NAMESPACES]: starts `WAYLAY control` on 127.0.0.1 with SERVICES Services (one
// manifest file), registers SERVICES×ENDPOINTS pods through the Registration service, connects PROXIES streams, then
// times an endpoint change (one pod NOT_READY) and a route change (a VirtualService file written) until every proxy
// has received the new version of that type. Prints one Markdown table row per change. With NAMESPACES > 1 services
// and proxies are spread over ns-0…ns-(N-1) and a root-namespace Sidecar (egress ./*) scopes each proxy to its own:
// a change then reaches the proxies of ns-0 only, and the row says how many others received anything.
var waylay = args[0];
var services = int.Parse(args[1], CultureInfo.InvariantCulture);
var endpoints = int.Parse(args[2], CultureInfo.InvariantCulture);
var proxies = int.Parse(args[3], CultureInfo.InvariantCulture);
var namespaces = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
string Ns(int n) => namespaces == 1 ? "default" : $"ns-{n % namespaces}";
const int Port = 25110;
const int DebugPort = 25114;

var directory = Directory.CreateTempSubdirectory("wl-bench-control-").FullName;
try
{
    var manifests = new StringBuilder();
    for (var s = 0; s < services; s++)
    {
        manifests.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{s}, namespace: {Ns(s)}}}\nspec:\n  clusterIP: 10.96.{s / 250}.{s % 250 + 1}\n  selector: {{app: svc-{s}}}\n  ports: [{{name: http, port: 9080}}]\n---\n");
    }

    File.WriteAllText(Path.Combine(directory, "services.yaml"), manifests.ToString());
    if (namespaces > 1)
    {
        File.WriteAllText(Path.Combine(directory, "sidecar.yaml"), "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  egress:\n  - hosts: [\"./*\"]\n");
    }

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
                pending.Add(client.ReportAsync(Pod(s, e, PodEvent.Types.Phase.Ready, Ns(s))).ResponseAsync);
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
    var all = Enumerable.Range(0, proxies).Select(i => new BenchProxy(i, $"http://127.0.0.1:{Port}", Ns(i))).ToList();
    var streams = all.Select(p => p.RunAsync()).ToList();
    var perNamespace = Enumerable.Range(0, services).GroupBy(Ns).ToDictionary(g => g.Key, g => g.Count() * endpoints, StringComparer.Ordinal);
    int InView(BenchProxy p) => perNamespace.GetValueOrDefault(p.Namespace);
    await Until(() => Task.FromResult(all.All(p => p.EndpointCount == InView(p) && TypeUrls.Subscribed.All(t => p.Version(t) > 0))), TimeSpan.FromMinutes(5));
    // The proxies whose view holds svc-0 (all of them without scoping); the others must receive nothing.
    var fleet = all.Where(p => p.Namespace == Ns(0)).ToList();
    var others = all.Where(p => p.Namespace != Ns(0)).ToList();
    var othersBefore = others.Select(p => (p.Version(TypeUrls.Endpoints), p.Version(TypeUrls.VirtualServices))).ToList();
    var before = ProcessStats.Read(control.Id);

    // :: 1. An endpoint change: one pod becomes not ready.
    var endpointVersion = fleet.Max(p => p.Version(TypeUrls.Endpoints));
    var started = Stopwatch.GetTimestamp();
    using (var registration = GrpcChannel.ForAddress($"http://127.0.0.1:{Port}"))
    {
        await new Registration.RegistrationClient(registration).ReportAsync(Pod(0, 0, PodEvent.Types.Phase.NotReady, Ns(0)));
    }

    var endpointRow = await Measure("endpoint (one pod not ready)", fleet, TypeUrls.Endpoints, endpointVersion, started);

    // :: 2. A route change: a VirtualService file appears (the file source polls every 100 ms here).
    var routeVersion = fleet.Max(p => p.Version(TypeUrls.VirtualServices));
    started = Stopwatch.GetTimestamp();
    File.WriteAllText(Path.Combine(directory, "vs.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: svc-0, namespace: " + Ns(0) + "}\nspec:\n  hosts: [svc-0]\n  http: [{timeout: 5s, route: [{destination: {host: svc-0}}]}]\n");
    var routeRow = await Measure("route (one VirtualService written)", fleet, TypeUrls.VirtualServices, routeVersion, started);
    var after = ProcessStats.Read(control.Id);

    Console.WriteLine($"| change | proxies | p50 | p99 | max | bytes per proxy | control CPU during both changes | control RSS (peak) |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
    Console.WriteLine(endpointRow + $" {after.CpuSeconds - before.CpuSeconds:F2} s | {after.RssMb:F0} MB ({after.PeakMb:F0} MB) |");
    Console.WriteLine(routeRow + " (same) | (same) |");
    var reached = others.Where((p, i) => (p.Version(TypeUrls.Endpoints), p.Version(TypeUrls.VirtualServices)) != othersBefore[i]).Count();
    Console.WriteLine($"{others.Count} proxies outside svc-0's view; {reached} of them received either change");
    Console.WriteLine($"initial sync: {services} services, {services * endpoints} endpoints to {proxies} proxies; control CPU so far {before.CpuSeconds:F1} s, RSS {before.RssMb:F0} MB");
    foreach (var proxy in all)
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

static PodEvent Pod(int service, int endpoint, PodEvent.Types.Phase phase, string ns)
{
    var pod = new PodEvent { Phase = phase, Name = $"svc-{service}-{endpoint}", Namespace = ns, Node = "bench" };
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
