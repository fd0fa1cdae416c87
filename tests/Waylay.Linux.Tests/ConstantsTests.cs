using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Linux.Tests;

/// <summary>The interop constants checked against the running kernel, not against a header someone copied.</summary>
public sealed class ConstantsTests
{
    [NetnsFact]
    public async Task SoOriginalDst_ReturnsTheAddressTheCaptureRulesRedirectedFrom()
    {
        await using var pod = await TestNamespace.CreateAsync();
        await using var peer = await TestNamespace.CreateAsync();
        await TestLink.ConnectAsync(pod, "eth0", ["10.244.1.2/24"], peer, "eth0", ["10.244.1.1/24"]);
        await pod.CaptureAsync("-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*");

        using var listener = pod.Listen(new IPEndPoint(IPAddress.IPv6Any, 15001));
        using var client = pod.Socket(AddressFamily.InterNetwork, uid: 1000);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.244.1.1"), 9080));
        using var accepted = await accept;

        Assert.True(LinuxSocket.TryGetOriginalDestination(accepted, out var original));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.1.1"), 9080), original);
        Assert.Equal(15001, ((IPEndPoint)accepted.LocalEndPoint!).Port);
    }

    [Fact]
    public async Task Signal_NumbersAreTheKernels_AndKillSignalsThePid()
    {
        Assert.Equal($"{Signal.Sigterm}", (await Exec.RunAsync("bash", "-c", "kill -l TERM")).StandardOutput.Trim());
        Assert.Equal($"{Signal.Sigkill}", (await Exec.RunAsync("bash", "-c", "kill -l KILL")).StandardOutput.Trim());

        using var sleeper = System.Diagnostics.Process.Start("sleep", "300");
        Assert.Equal(0, Signal.Kill(sleeper.Id, Signal.Sigterm));
        await sleeper.WaitForExitAsync();
        Assert.Equal(128 + Signal.Sigterm, sleeper.ExitCode);
    }

    [Fact]
    public unsafe void Splice_MovesBytesSocketToPipeToSocket_AndPipeSizeIsSettable()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        a.Connect(listener.LocalEndPoint!);
        using var b = listener.Accept();
        using var listener2 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener2.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener2.Listen();
        using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        c.Connect(listener2.LocalEndPoint!);
        using var d = listener2.Accept();

        Assert.True(Fcntl.TryCreatePipe(out var read, out var write));
        try
        {
            Assert.Equal(1 << 20, Fcntl.Control(write, Fcntl.FSetPipeSize, 1 << 20));
            Assert.Equal(1 << 20, Fcntl.Control(read, Fcntl.FGetPipeSize, 0));
            Assert.NotEqual(0, Fcntl.Control(read, Fcntl.FGetFl, 0) & Fcntl.ONonBlock);

            Assert.True(Fcntl.SetNonBlocking((int)b.SafeHandle.DangerousGetHandle()));
            Assert.NotEqual(0, Fcntl.Control((int)b.SafeHandle.DangerousGetHandle(), Fcntl.FGetFl, 0) & Fcntl.ONonBlock);

            // Nothing to read yet: a non-blocking splice says EAGAIN instead of blocking.
            Assert.Equal(-1, Fcntl.Splice((int)b.SafeHandle.DangerousGetHandle(), 0, write, 0, 4096, Fcntl.SpliceNonBlock));
            Assert.Equal(Errno.EAgain, Marshal.GetLastPInvokeError());

            a.Send("spliced"u8);
            var spin = 0;
            nint moved;
            while ((moved = Fcntl.Splice((int)b.SafeHandle.DangerousGetHandle(), 0, write, 0, 4096, Fcntl.SpliceMove | Fcntl.SpliceNonBlock)) < 0 && spin++ < 1000)
            {
                Thread.Sleep(1);
            }

            Assert.Equal(7, moved);
            Assert.Equal(7, Fcntl.Splice(read, 0, (int)c.SafeHandle.DangerousGetHandle(), 0, 7, Fcntl.SpliceMove));
            var buffer = new byte[7];
            Assert.Equal(7, d.Receive(buffer));
            Assert.Equal("spliced"u8.ToArray(), buffer);
        }
        finally
        {
            Fcntl.Close(read);
            Fcntl.Close(write);
        }
    }

    [Fact]
    public void OpenFileLimit_MatchesProcSelfLimits()
    {
        var limit = Resource.GetOpenFileLimit();
        Assert.NotNull(limit);
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fields[0], limit.Value.Current.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(fields[1], limit.Value.Maximum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(limit.Value.Maximum, Resource.RaiseOpenFileLimitToHard());
    }

    [Fact]
    public void Errno_MatchesTheKernelsNames()
    {
        // strerror text is glibc's; the numbers are what the relay compares against.
        Assert.Equal("Resource temporarily unavailable", Marshal.GetPInvokeErrorMessage(Errno.EAgain));
        Assert.Equal("Connection reset by peer", Marshal.GetPInvokeErrorMessage(Errno.EConnReset));
        Assert.Equal("Broken pipe", Marshal.GetPInvokeErrorMessage(Errno.EPipe));
        Assert.Equal("Too many open files", Marshal.GetPInvokeErrorMessage(Errno.EMFile));
        Assert.Equal("Too many open files in system", Marshal.GetPInvokeErrorMessage(Errno.ENFile));
        Assert.Equal("No buffer space available", Marshal.GetPInvokeErrorMessage(Errno.ENoBufs));
        Assert.Equal("Invalid argument", Marshal.GetPInvokeErrorMessage(Errno.EInval));
        Assert.Equal("Protocol error", Marshal.GetPInvokeErrorMessage(Errno.EProto));
        Assert.Equal("Operation not permitted", Marshal.GetPInvokeErrorMessage(Errno.EPerm));
        Assert.Equal("Connection refused", Marshal.GetPInvokeErrorMessage(Errno.EConnRefused));
    }

    [Fact]
    public void Freebind_LetsASocketBindAnAddressNoInterfaceHas()
    {
        using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        LinuxSocket.SetFreebind(v4);
        var value = new byte[4];
        Assert.Equal(4, v4.GetRawSocketOption(LinuxSocket.SolIp, LinuxSocket.IpFreebind, value));
        Assert.Equal(1, BitConverter.ToInt32(value));

        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        // ::6, the inbound-passthrough source, is on no interface: refused without IPV6_FREEBIND, bound with it.
        using var plain = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        Assert.Equal(SocketError.AddressNotAvailable, Assert.Throws<SocketException>(() => plain.Bind(new IPEndPoint(IPAddress.Parse("::6"), 0))).SocketErrorCode);
        using var free = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        LinuxSocket.SetFreebind(free);
        free.Bind(new IPEndPoint(IPAddress.Parse("::6"), 0));
    }

    [Theory]
    [InlineData(Errno.EConnReset, SocketError.ConnectionReset)]
    [InlineData(Errno.EPipe, SocketError.Shutdown)]
    [InlineData(Errno.ETimedOut, SocketError.TimedOut)]
    [InlineData(Errno.EConnRefused, SocketError.ConnectionRefused)]
    [InlineData(Errno.EBadF, SocketError.OperationAborted)]
    [InlineData(Errno.EMFile, SocketError.TooManyOpenSockets)]
    [InlineData(Errno.ENFile, SocketError.TooManyOpenSockets)]
    [InlineData(Errno.ENoBufs, SocketError.NoBufferSpaceAvailable)]
    [InlineData(Errno.EInval, SocketError.InvalidArgument)]
    public void Errno_MapsToTheSocketErrorDotNetThrowsForIt(int errno, SocketError expected) => Assert.Equal(expected, Errno.ToSocketError(errno));
}
