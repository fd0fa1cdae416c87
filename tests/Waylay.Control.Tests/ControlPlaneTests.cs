using Microsoft.Extensions.Configuration;

namespace Waylay.Control.Tests;

/// <summary>The control plane's host, as <c>waylay control</c> builds it.</summary>
public sealed class ControlPlaneTests
{
    /// <summary>
    /// A file source that reloads on change watches the content root (the working directory) recursively: from "/",
    /// the root of a container, that is an inotify watch on every directory of the image, /proc and /sys (about 300 ms
    /// of the start under runc). The control plane reads no appsettings file, so nothing may watch for one.
    /// </summary>
    [Fact]
    public async Task Host_WatchesNoConfigurationFile()
    {
        var options = new ControlOptions([]) { Port = 0, DebugPort = 0, Listen = System.Net.IPAddress.Loopback };
        await using var app = ControlPlane.Build(options);

        var providers = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.All(providers, provider => Assert.False(provider.Source.ReloadOnChange, $"{provider.Source.Path} is watched for changes"));
    }
}
