using System.Globalization;
using System.Text;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Telemetry;

/// <summary>
/// Where the sidecar's memory is, on /stats/prometheus: Envoy's <c>server.memory_allocated</c>,
/// <c>server.memory_heap_size</c> and <c>server.memory_physical_size</c> with the GC's meaning (objects live after the
/// last collection, memory the GC has committed, the process's resident set), the GC's gen0 budget and how many
/// collections and bytes the load cost. dotnet-counters and dotnet-gcdump cannot attach to a NativeAOT binary; these
/// are what is left to tell the GC heap from buffers, pools and native memory (docs/benchmarks.md, "Sidecar memory").
/// </summary>
internal static class ServerMemory
{
    public static void Render(StringBuilder text)
    {
        var info = GC.GetGCMemoryInfo();
        Gauge(text, "waylay_server_memory_allocated", "Bytes of managed objects in the GC heap after the last collection (Envoy's server.memory_allocated).", info.HeapSizeBytes);
        Gauge(text, "waylay_server_memory_heap_size", "Bytes the GC has committed for its heap (Envoy's server.memory_heap_size).", info.TotalCommittedBytes);
        Gauge(text, "waylay_server_memory_physical_size", "Resident set of the process in bytes (VmRSS).", Environment.WorkingSet);
        Gauge(text, "waylay_server_memory_fragmented", "Bytes free inside the GC heap after the last collection.", info.FragmentedBytes);
        Gauge(text, "waylay_server_memory_pinned_objects", "Pinned objects the last collection found.", info.PinnedObjectsCount);
        var (buffers, bufferBytes) = Io.RentedBuffers.Current();
        Gauge(text, "waylay_server_memory_buffers_rented", "Pooled buffers the connections hold now (socket readers and writers, HTTP/1 heads); an idle keep-alive connection holds none.", buffers);
        Gauge(text, "waylay_server_memory_buffer_bytes_rented", "Bytes of those buffers.", bufferBytes);
        Gauge(text, "waylay_server_memory_gen0_budget", "Bytes allocated between gen0 collections the GC was started with (GCgen0size; 0: sized by the GC from the CPU cache).", Gen0Budget());
        Family(text, "waylay_server_memory_allocated_bytes_total", "counter", "Bytes of managed objects allocated since start.");
        text.Append(CultureInfo.InvariantCulture, $"waylay_server_memory_allocated_bytes_total {GC.GetTotalAllocatedBytes()}\n");
        Family(text, "waylay_server_memory_trims_total", "counter", "Full collections the proxy made to give memory back when it fell quiet after work (HeapTrimmer).");
        text.Append(CultureInfo.InvariantCulture, $"waylay_server_memory_trims_total {HeapTrimmer.Trims}\n");
        Family(text, "waylay_server_memory_image_releases_total", "counter", "Times the proxy unmapped its binary's read-only pages (during its start, once ready, then with each trim; ImagePages).");
        text.Append(CultureInfo.InvariantCulture, $"waylay_server_memory_image_releases_total {HeapTrimmer.ImageReleases}\n");
        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Family(text, "waylay_server_gc_last_full_pause_seconds", "gauge", "How long the last full (gen2) collection stopped the proxy, a trim's among them; 0 before the first.");
        text.Append(CultureInfo.InvariantCulture, $"waylay_server_gc_last_full_pause_seconds {(full.Index == 0 ? 0 : full.PauseDurations[0].TotalSeconds)}\n");
        Family(text, "waylay_server_gc_collections_total", "counter", "Garbage collections since start, by the generation collected.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"waylay_server_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }
    }

    /// <summary>
    /// The gen0 budget the GC was started with: DOTNET_GCgen0size when set, else the value the sidecar's build compiled
    /// in (src/Waylay.Sidecar's WaylayGen0Size, also published as the switch <c>Waylay.GCgen0size</c> because the GC does
    /// not report it), else 0: the GC sized it itself from the CPU's cache (the JIT build, tests' in-process proxies).
    /// </summary>
    public static long Gen0Budget() =>
        Hex(Environment.GetEnvironmentVariable("DOTNET_GCgen0size")) ?? Hex(AppContext.GetData("Waylay.GCgen0size") as string) ?? 0;

    // The GC reads its DOTNET_* numbers as hexadecimal.
    private static long? Hex(string? value) =>
        long.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "gauge", help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
}
