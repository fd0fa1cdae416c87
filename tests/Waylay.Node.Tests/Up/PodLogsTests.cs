using System.Text;
using Waylay.Node.Up;
using Xunit;

namespace Waylay.Node.Tests.Up;

/// <summary>`waylay logs -f` on a real file: new output, a rotation (the file shrank) and the pod's removal.</summary>
public sealed class PodLogsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wl-podlogs").FullName;
    private readonly string _outputs = Directory.CreateTempSubdirectory("wl-podlogs-out").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        Directory.Delete(_outputs, recursive: true);
    }

    [Fact]
    public async Task Follow_CopiesNewOutput_RereadsARotatedFile_EndsWhenTheFileIsGone()
    {
        var log = Path.Combine(_directory, "app.log");
        await File.WriteAllTextAsync(log, "one\n");
        var output = Path.Combine(_outputs, "follow.out");
        await using var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var follow = PodLogs.CopyAsync(log, stream, follow: true, timeout.Token);

        await WaitForAsync(output, "one\n");
        await File.AppendAllTextAsync(log, "two\n");
        await WaitForAsync(output, "one\ntwo\n");
        await File.WriteAllTextAsync(log, "3\n"); // truncated and rewritten: shorter than what was read
        await WaitForAsync(output, "one\ntwo\n3\n");
        Directory.Delete(_directory, recursive: true);

        await follow; // ends by itself: the pod is gone
        Assert.Equal("one\ntwo\n3\n", Text(output));
    }

    [Fact]
    public async Task WithoutFollow_CopiesTheLogOnce()
    {
        var log = Path.Combine(_directory, "app.log");
        await File.WriteAllTextAsync(log, "started\n");
        var output = Path.Combine(_outputs, "once.out");
        await using (var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            await PodLogs.CopyAsync(log, stream, follow: false, CancellationToken.None);
        }

        Assert.Equal("started\n", Text(output));
    }

    /// <summary>What the follower wrote so far (it flushes after every copy).</summary>
    private static string Text(string output)
    {
        using var file = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task WaitForAsync(string output, string expected)
    {
        for (var i = 0; i < 400 && Text(output) != expected; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(expected, Text(output));
    }
}
