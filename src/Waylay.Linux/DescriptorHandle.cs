using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// A descriptor this process opened itself (an HTTP/1 upstream's socket, <see cref="TcpConnect"/>): closed once, when
/// the last system call holding a reference on it returns, so a close from another thread never lets a call reach a
/// reused number.
/// </summary>
public sealed partial class DescriptorHandle : SafeHandle
{
    public DescriptorHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
