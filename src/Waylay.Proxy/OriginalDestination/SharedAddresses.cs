using System.Net;

namespace Waylay.Proxy.OriginalDestination;

/// <summary>
/// Addresses that many connections hold the same value of, kept once: a listener's own address, a service's VIP:port,
/// the app's IP as every one of its connections sees it, and that IP as x-forwarded-for text. Each held connection
/// kept its own copies (~72 bytes an endpoint, 40 an address, docs/designs/proxy.md, "Memory"). A small table of the
/// latest value per hash slot, read and replaced without a lock: a miss only keeps the caller's own object, so
/// nothing is ever wrong, at worst not shared. The objects are never changed once made (nothing sets their Address or
/// Port), which is what makes sharing them safe.
/// </summary>
internal static class SharedAddresses
{
    private const int Slots = 64;
    private static readonly IPEndPoint?[] s_endPoints = new IPEndPoint?[Slots];
    private static readonly IPAddress?[] s_addresses = new IPAddress?[Slots];
    private static readonly AddressText?[] s_texts = new AddressText?[Slots];

    /// <summary>An endpoint equal to <paramref name="endPoint"/>, the one kept when there is one.</summary>
    public static IPEndPoint Intern(IPEndPoint endPoint) => Intern(s_endPoints, endPoint, endPoint.GetHashCode());

    /// <summary>An address equal to <paramref name="address"/>, the one kept when there is one.</summary>
    public static IPAddress Intern(IPAddress address) => Intern(s_addresses, address, address.GetHashCode());

    /// <summary>The address as text (x-forwarded-for takes it without the port), made once per address.</summary>
    public static string Text(IPAddress address)
    {
        ref var slot = ref s_texts[(address.GetHashCode() & int.MaxValue) % Slots];
        var seen = Volatile.Read(ref slot);
        if (seen is not null && (ReferenceEquals(seen.Address, address) || seen.Address.Equals(address)))
        {
            return seen.Text;
        }

        var text = new AddressText(address, address.ToString());
        Volatile.Write(ref slot, text);
        return text.Text;
    }

    private static T Intern<T>(T?[] table, T value, int hash)
        where T : class
    {
        ref var slot = ref table[(hash & int.MaxValue) % Slots];
        var seen = Volatile.Read(ref slot);
        if (seen is not null && seen.Equals(value))
        {
            return seen;
        }

        Volatile.Write(ref slot, value);
        return value;
    }

    private sealed record AddressText(IPAddress Address, string Text);
}
