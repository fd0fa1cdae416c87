using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Waylay.Commands;
using Waylay.Diagnostics.Proxy;
using Waylay.Inject.Yaml;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>-o short|json|yaml</c> as istioctl's proxy commands take it: tables for people, the structured form for tools.</summary>
internal enum ConfigOutputFormat
{
    Short,
    Json,
    Yaml,
}

internal static class ConfigOutput
{
    public static Option<FlagValue<ConfigOutputFormat>> Option()
    {
        var option = CliOption.Choice("--output", "short", "Output format: tables (short), or the proxy's own structured form (json, yaml)",
            ("short", ConfigOutputFormat.Short, []), ("json", ConfigOutputFormat.Json, []), ("yaml", ConfigOutputFormat.Yaml, []));
        option.Aliases.Add("-o");
        return option;
    }

    /// <summary>Writes <paramref name="node"/> as JSON or YAML; false for <see cref="ConfigOutputFormat.Short"/> (the caller draws tables).</summary>
    public static bool TryWriteStructured(ConfigOutputFormat format, JsonNode node)
    {
        switch (format)
        {
            case ConfigOutputFormat.Json:
                Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return true;
            case ConfigOutputFormat.Yaml:
                Console.Out.Write(YamlWriter.Write([node]));
                return true;
            default:
                return false;
        }
    }

    public static void WriteTable(IAnsiConsole console, ConfigTable table, bool titled)
    {
        if (titled)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]{Markup.Escape(table.Title)}[/]");
        }

        var grid = new Table().Border(TableBorder.Simple);
        foreach (var column in table.Columns)
        {
            grid.AddColumn(Markup.Escape(column));
        }

        foreach (var row in table.Rows)
        {
            grid.AddRow([.. row.Select(Markup.Escape)]);
        }

        console.Write(grid);
    }
}
