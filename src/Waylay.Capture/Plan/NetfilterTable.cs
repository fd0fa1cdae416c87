namespace Waylay.Capture.Plan;

/// <summary>The netfilter tables Waylay writes to, in the order packets meet them at the same hook.</summary>
public enum NetfilterTable
{
    Mangle,
    Nat,
}

public static class NetfilterTableNames
{
    public static string Name(this NetfilterTable table) => table == NetfilterTable.Nat ? "nat" : "mangle";
}
