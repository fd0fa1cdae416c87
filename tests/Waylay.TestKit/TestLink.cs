namespace Waylay.TestKit;

/// <summary>
/// A veth pair between two test namespaces. The pair is created inside <c>a</c> and its peer moved into <c>b</c>, so it
/// never appears in the host's namespace, and it disappears with either namespace.
/// </summary>
public static class TestLink
{
    /// <param name="aAddresses">CIDRs for a's end, e.g. "10.244.1.2/24" or "fd00:244:1::2/64".</param>
    public static async Task ConnectAsync(
        TestNamespace a, string aDevice, IReadOnlyList<string> aAddresses,
        TestNamespace b, string bDevice, IReadOnlyList<string> bAddresses)
    {
        await a.IpAsync("link", "add", aDevice, "type", "veth", "peer", "name", bDevice, "netns", b.Name);
        foreach (var cidr in aAddresses)
        {
            await a.AddAddressAsync(aDevice, cidr);
        }

        foreach (var cidr in bAddresses)
        {
            await b.AddAddressAsync(bDevice, cidr);
        }

        await a.IpAsync("link", "set", aDevice, "up");
        await b.IpAsync("link", "set", bDevice, "up");
    }
}
