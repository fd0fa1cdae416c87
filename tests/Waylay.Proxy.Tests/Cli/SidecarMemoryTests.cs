using System.Globalization;
using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Cli;

/// <summary>
/// The memory settings the NativeAOT sidecar is built with (src/Waylay.Sidecar/Waylay.Sidecar.csproj) are the ones
/// it runs with: its small gen0 budget, no OpenSSL loaded (the mesh file's hash is not a cryptographic one), and its
/// serving methods laid out together at the start of its code (hot-methods.txt).
/// </summary>
public sealed class SidecarMemoryTests
{
    [NativeSidecarFact]
    public async Task NativeSidecar_RunsWithItsGen0Budget_AndWithoutOpenSsl()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var proxy = await TestProxy.StartAsync(ns);

        var scrape = await PrometheusScrape.FetchAsync(ns, TestProxy.AdminPort);
        var budget = Assert.Single(scrape.Samples, s => s.Name == "waylay_server_memory_gen0_budget").Value;
        var maps = await File.ReadAllTextAsync($"/proc/{proxy.Pid.ToString(CultureInfo.InvariantCulture)}/maps");

        Assert.Equal(1024 * 1024, budget);
        Assert.DoesNotContain("libcrypto", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libssl", maps, StringComparison.Ordinal);
    }

    /// <summary>
    /// The build honours src/Waylay.Sidecar/hot-methods.txt: the listed methods come first in the compiled code, in the
    /// list's order, with nothing of the compiler's own choosing among them beyond the few entry points it always puts
    /// first. And the list still names the code: once most of its names are gone (the request path was rewritten),
    /// the serving code is scattered again and this says how to write the list anew.
    /// </summary>
    [NativeSidecarFact]
    public async Task NativeSidecar_LaysOutItsServingMethodsFirst_InTheListsOrder()
    {
        var symbols = TestProxy.NativeSidecarPath + ".dbg";
        Assert.True(File.Exists(symbols), $"{symbols} is missing: the sidecar's build strips its symbols into it (StripSymbols)");
        var listed = File.ReadLines(Path.Combine(Checkout.Root, "src", "Waylay.Sidecar", "hot-methods.txt"))
            .Where(line => line.Length > 0 && line[0] != '#')
            .ToList();
        var code = await ManagedCodeSymbolsAsync(symbols);

        var present = listed.Where(code.ContainsKey).ToList();
        Assert.True(present.Count > 0 && present.Count * 4 >= listed.Count * 3,
            $"only {present.Count} of the {listed.Count} methods in hot-methods.txt are in the sidecar: run sudo bench/hot-methods.sh (twice) to write it anew");

        var addresses = present.Select(name => code[name]).ToList();
        var last = addresses.Max();
        var listedNames = present.ToHashSet(StringComparer.Ordinal);
        var unlistedAmongThem = code.Where(symbol => symbol.Value < last && !listedNames.Contains(symbol.Key)).Select(symbol => symbol.Key).ToList();
        var outOfOrder = Enumerable.Range(1, present.Count - 1).FirstOrDefault(i => addresses[i] <= addresses[i - 1]);
        Assert.True(outOfOrder == 0, $"the sidecar's code is not in hot-methods.txt's order: {(outOfOrder == 0 ? "" : present[outOfOrder])} lies before {(outOfOrder == 0 ? "" : present[outOfOrder - 1])}");
        Assert.True(unlistedAmongThem.Count <= 16, $"{unlistedAmongThem.Count} methods not in hot-methods.txt lie among its methods: {string.Join(", ", unlistedAmongThem.Take(10))}");
    }

    /// <summary>The addresses of the methods in the compiler's own code section (__managedcode), by name.</summary>
    private static async Task<Dictionary<string, ulong>> ManagedCodeSymbolsAsync(string file)
    {
        var sections = await Exec.RunAsync("readelf", "-SW", file);
        var header = sections.StandardOutput.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(fields => fields.Contains("__managedcode"));
        var at = Array.IndexOf(header, "__managedcode");
        var start = ulong.Parse(header[at + 2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var end = start + ulong.Parse(header[at + 4], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        var nm = await Exec.RunAsync("nm", "--defined-only", file);
        Assert.True(nm.Succeeded, $"nm failed: {nm.Diagnostic}");
        var code = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in nm.StandardOutput.Split('\n'))
        {
            var fields = line.Split(' ', 3);
            if (fields.Length == 3 && fields[1] is "t" or "T"
                && ulong.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address)
                && address >= start && address < end)
            {
                code.TryAdd(fields[2], address);
            }
        }

        return code;
    }
}
