using System.Diagnostics;
using Waylay.Node.Processes;
using Xunit;

namespace Waylay.Node.Tests.Processes;

/// <summary>The log cap on real files, written the way a container's shell writes them (O_APPEND).</summary>
public sealed class ContainerLogRotationTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("wl-logs").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public void Rotate_ALogPastTheCap_IsKeptAsDotOne_AndTheWriterGoesOnAtTheStart()
    {
        var logs = Directory.CreateDirectory(Path.Combine(_state, "pods", "web", "logs")).FullName;
        var log = Path.Combine(logs, "app.log");
        var small = Path.Combine(logs, "sidecar.log");
        File.WriteAllText(small, "ready\n");
        // The container's side as the runtime sets it up: a shell whose stdout is `>> log` (O_APPEND), kept open.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec >>\"$0\"; while read -r line; do echo \"$line\"; done", log])
        {
            start.ArgumentList.Add(argument);
        }

        using var writer = Process.Start(start)!;
        for (var i = 0; i < 100; i++)
        {
            writer.StandardInput.WriteLine("0123456789abcdef");
        }

        writer.StandardInput.Flush();
        WaitForLength(log, 1700);

        Assert.Equal(1, ContainerLogRotation.Rotate(_state, maxBytes: 1000));

        Assert.Equal(1700, new FileInfo(log + ".1").Length);
        Assert.Equal(0, new FileInfo(log).Length);
        Assert.Equal("ready\n", File.ReadAllText(small));
        Assert.False(File.Exists(small + ".1"));
        writer.StandardInput.WriteLine("after");
        writer.StandardInput.Close();
        writer.WaitForExit();
        Assert.Equal("after\n", File.ReadAllText(log));
    }

    private static void WaitForLength(string path, long length)
    {
        for (var i = 0; i < 400 && (!File.Exists(path) || new FileInfo(path).Length < length); i++)
        {
            Thread.Sleep(25);
        }

        Assert.Equal(length, new FileInfo(path).Length);
    }
}
