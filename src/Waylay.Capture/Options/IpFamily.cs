using System.Net.Sockets;

namespace Waylay.Capture.Options;

public enum IpFamily
{
    V4,
    V6,
}

public static class IpFamilyExtensions
{
    public static AddressFamily AddressFamily(this IpFamily family) =>
        family == IpFamily.V4 ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
}
