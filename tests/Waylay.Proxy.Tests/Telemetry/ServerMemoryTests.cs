using System.Text;
using Waylay.Proxy.Telemetry;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Telemetry;

/// <summary><see cref="ServerMemory"/>: where the memory is, as Prometheus families with values.</summary>
public sealed class ServerMemoryTests
{
    [Fact]
    public void Render_GivesTheHeapTheResidentSetAndTheCollections()
    {
        var text = new StringBuilder();
        ServerMemory.Render(text);
        var samples = PrometheusScrape.Parse(text.ToString()).Samples;

        double Value(string name) => Assert.Single(samples, s => s.Name == name && s.Labels.Count == 0).Value;
        Assert.True(Value("waylay_server_memory_heap_size") > 0);
        Assert.True(Value("waylay_server_memory_physical_size") > 0);
        Assert.True(Value("waylay_server_memory_allocated_bytes_total") > 0);
        Assert.Equal(ServerMemory.Gen0Budget(), Value("waylay_server_memory_gen0_budget"));
        Assert.True(Value("waylay_server_memory_trims_total") >= 0);
        Assert.True(Value("waylay_server_gc_last_full_pause_seconds") >= 0);
        Assert.Equal(GC.MaxGeneration + 1, samples.Count(s => s.Name == "waylay_server_gc_collections_total"));
    }
}
