using System.Globalization;
using System.Text;

namespace Waylay.Node.Manifests;

/// <summary>
/// Pod names as Kubernetes' controllers make them. A Deployment's ReplicaSet is <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>
/// (FNV-32a of the template, written with <c>rand.SafeEncodeString</c>'s vowel-free alphabet, as
/// <c>controller.ComputeHash</c>), its pods <c>&lt;replicaset&gt;-&lt;5 characters&gt;</c> (<c>generateName</c>); a StatefulSet's
/// pods are <c>&lt;name&gt;-&lt;ordinal&gt;</c>. The 5 characters come from a random seeded by the ReplicaSet and the
/// replica, so a run names its pods the same way each time.
/// </summary>
internal static class PodNames
{
    // k8s.io/apimachinery/pkg/util/rand: no vowels (no words), no 0/1/3 (no look-alikes).
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string TemplateHash(string template)
    {
        var hash = Fnv32a(template);
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    public static string ReplicaSetPod(string replicaSet, int replica)
    {
        var random = new Random((int)Fnv32a($"{replicaSet}/{replica}"));
        var suffix = new StringBuilder(5);
        for (var i = 0; i < 5; i++)
        {
            suffix.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return $"{replicaSet}-{suffix}";
    }

    private static string SafeEncode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            encoded.Append(Alphabet[b % Alphabet.Length]);
        }

        return encoded.ToString();
    }

    private static uint Fnv32a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
