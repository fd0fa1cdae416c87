using Waylay.Linux;

namespace Waylay.Proxy.Io;

/// <summary>
/// A listener on the loop: its readable edge says connections are queued, and they are accepted until EAGAIN (the
/// edge comes once for the whole queue). Accepted descriptors never meet .NET's socket engine (<see cref="TcpAccept"/>).
/// </summary>
internal sealed partial class EpollSocket
{
    /// <summary>
    /// accept4(2) without blocking: the new connection (its peer's sockaddr in <paramref name="peer"/>), or null with
    /// the errno; EAGAIN when none is queued (then wait with <see cref="WaitReadableAsync"/>). After anything but
    /// EAGAIN the next call tries again at once: more may be queued, or the failure (EMFILE) may have passed.
    /// </summary>
    public DescriptorHandle? TryAccept(Span<byte> peer, out int peerLength, out int errno)
    {
        peerLength = 0;
        if (!Readiness.TryTake(ref _readReady))
        {
            errno = Errno.EAgain;
            return null;
        }

        var accepted = TcpAccept.Accept(_handle, peer, out peerLength, out errno);
        if (errno != Errno.EAgain)
        {
            Volatile.Write(ref _readReady, 1);
        }

        return accepted;
    }
}
