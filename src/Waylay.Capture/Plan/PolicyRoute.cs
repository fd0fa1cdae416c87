namespace Waylay.Capture.Plan;

/// <summary>
/// TPROXY's routing half: packets carrying <see cref="Mark"/> are looked up in <see cref="Table"/>, whose only route
/// delivers everything locally (`ip rule add fwmark M lookup T; ip route add local default dev lo table T`).
/// </summary>
public sealed record PolicyRoute(Options.IpFamily Family, uint Mark, uint Table);
