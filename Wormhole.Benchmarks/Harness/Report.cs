using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// What a run prints: one JSON line per system and workload as soon as it is measured (<c>{"workload":…,"system":…,…}</c>),
/// then a Markdown table of every row and the targets, each met or missed, with the figures.
/// </summary>
internal sealed class Report
{
    private readonly List<(string Workload, string System, string Result, string VsAkka, string VsRaw)> _rows = [];
    private readonly List<(string Name, bool Met, string Figures)> _targets = [];
    private readonly List<string> _notes = [];

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ratio(double ours, double theirs) => theirs > 0 ? (ours / theirs).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";

    public static string Mib(double bytes) => (bytes / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Kib(double bytes) => (bytes / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";

    public static string Ms(double milliseconds) => milliseconds.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Prints the system's JSON line now.</summary>
    public void Emit(string workload, string system, Dictionary<string, object?> metrics)
    {
        var line = new Dictionary<string, object?> { ["workload"] = workload, ["system"] = system };
        foreach (var (key, value) in metrics)
        {
            line[key] = value is double d ? Math.Round(d, 3) : value;
        }

        Console.WriteLine(JsonSerializer.Serialize(line));
        Console.Out.Flush();
    }

    public void Row(string workload, string system, string result, string vsAkka = "", string vsRaw = "") =>
        _rows.Add((workload, system, result, vsAkka, vsRaw));

    public void Target(string name, bool met, string figures)
    {
        _targets.Add((name, met, figures));
        Console.WriteLine($"target {name}: {(met ? "met" : "MISSED")} ({figures})");
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine("note: " + note);
    }

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| workload | system | result | vs Akka.Remote | vs raw socket |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var row in _rows)
        {
            text.AppendLine($"| {row.Workload} | {row.System} | {row.Result} | {row.VsAkka} | {row.VsRaw} |");
        }

        if (_targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| target | | figures |");
            text.AppendLine("| --- | --- | --- |");
            foreach (var target in _targets)
            {
                text.AppendLine($"| {target.Name} | {(target.Met ? "met" : "**missed**")} | {target.Figures} |");
            }
        }

        foreach (var note in _notes)
        {
            text.AppendLine();
            text.AppendLine("- " + note);
        }

        return text.ToString();
    }
}
