using System.Reflection;
using System.Reflection.Emit;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Tests.Architecture;

/// <summary>
/// The dependency rule of ARCHITECTURE.md, checked on the compiled Core assembly: every type a
/// folder's code names (signatures, fields, base types, attributes and the method bodies' IL) must
/// be in a folder that folder may reference, and no cycle may join Core's namespaces.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Top-level folder → the folders it may reference (itself always allowed). Keep in step with ARCHITECTURE.md.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Common"] = [],
        ["Documents"] = ["Common"],
        ["Media"] = ["Common"],
        ["Inference"] = ["Common", "Documents", "Media"],
        ["Stores"] = ["Common", "Documents"],
        ["Crawl"] = ["Common"],
        ["Search"] = ["Common", "Documents", "Media", "Inference", "Stores"],
        ["Indexing"] = ["Common", "Crawl", "Documents", "Media", "Inference", "Stores"],
        ["Copies"] = ["Common", "Documents", "Media", "Stores"],
        ["Composition"] = ["Common", "Crawl", "Documents", "Media", "Inference", "Stores", "Search", "Indexing", "Copies"],
    };

    private const string Root = "MultiModalIndexer.";

    [Fact]
    public void Every_core_folder_is_covered_by_the_rule()
    {
        var folders = NamespaceGraph(typeof(RealPath).Assembly).Keys.Select(TopFolder).Distinct().ToList();
        var unknown = folders.Where(f => !Allowed.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"Folders without a rule (add them to ARCHITECTURE.md and {nameof(Allowed)}): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void No_core_folder_references_against_the_rule()
    {
        var graph = NamespaceGraph(typeof(RealPath).Assembly);
        var violations = new List<string>();
        foreach (var (from, targets) in graph)
            foreach (var (to, why) in targets)
            {
                var a = TopFolder(from);
                var b = TopFolder(to);
                if (a == b || (Allowed.TryGetValue(a, out var ok) && ok.Contains(b))) continue;
                violations.Add($"{from} -> {to} ({why})");
            }
        Assert.True(violations.Count == 0, "References against the dependency rule (ARCHITECTURE.md):\n" + string.Join("\n", violations.Order()));
    }

    [Fact]
    public void No_cycle_among_core_folders()
    {
        var graph = NamespaceGraph(typeof(RealPath).Assembly);
        var folders = graph.Keys.Select(TopFolder).Distinct().ToDictionary(f => f, f => (IEnumerable<string>)graph
            .Where(kv => TopFolder(kv.Key) == f)
            .SelectMany(kv => kv.Value.Keys.Select(TopFolder))
            .Where(t => t != f).Distinct().ToList());
        var cycles = Cycles(folders);
        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join("\n", cycles.Select(c => string.Join(" <-> ", c) + "\n    " +
            string.Join("\n    ", graph.SelectMany(kv => kv.Value.Where(e => TopFolder(kv.Key) != TopFolder(e.Key) && c.Contains(TopFolder(kv.Key)) && c.Contains(TopFolder(e.Key)))
                .Select(e => $"{kv.Key} -> {e.Key} ({e.Value})"))))));
    }

    /// <summary>
    /// Inside a folder, the folder and its own subfolders are one unit (the parent holds contracts and the
    /// factory, subfolders implement them), but sibling subfolders must still not form a cycle.
    /// </summary>
    [Fact]
    public void No_cycle_among_sibling_subfolders()
    {
        var graph = NamespaceGraph(typeof(RealPath).Assembly);
        static bool Related(string a, string b) => a.StartsWith(b + ".", StringComparison.Ordinal) || b.StartsWith(a + ".", StringComparison.Ordinal);
        var cycles = Cycles(graph.ToDictionary(kv => kv.Key, kv => (IEnumerable<string>)kv.Value.Keys.Where(t => !Related(kv.Key, t)).ToList()));
        Assert.True(cycles.Count == 0, "Namespace cycles:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(" <-> ", c) + "\n    " + string.Join("\n    ", Evidence(graph, c)))));
    }

    [Fact]
    public void The_cycle_finder_finds_a_planted_cycle_and_accepts_a_layering()
    {
        var cyclic = new Dictionary<string, IEnumerable<string>>
        {
            ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"],
        };
        var found = Assert.Single(Cycles(cyclic));
        Assert.Equal(["A", "B", "C"], found.Order());
        var layered = new Dictionary<string, IEnumerable<string>> { ["A"] = ["B", "C"], ["B"] = ["C"], ["C"] = [] };
        Assert.Empty(Cycles(layered));
    }

    [Fact]
    public void The_scanner_sees_references_made_only_inside_method_bodies()
    {
        // SourceWalker names RealPath only in its method bodies (no field or signature does).
        var graph = NamespaceGraph(typeof(RealPath).Assembly);
        Assert.Contains("MultiModalIndexer.Common", graph["MultiModalIndexer.Crawl"].Keys);
    }

    private static string TopFolder(string ns)
    {
        var rest = ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..] : ns;
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<string> Evidence(Dictionary<string, Dictionary<string, string>> graph, IReadOnlyList<string> cycle) =>
        from a in cycle
        from b in cycle
        where graph[a].ContainsKey(b)
        select $"{a} -> {b} ({graph[a][b]})";

    /// <summary>Strongly connected components with more than one member (Tarjan).</summary>
    public static List<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IEnumerable<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<IReadOnlyList<string>>();
        var counter = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var next) ? next : [])
            {
                if (w == v) continue;
                if (!index.TryGetValue(w, out var seen)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], seen);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.Order().ToList());
        }

        foreach (var v in graph.Keys.Order())
            if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    /// <summary>Namespace → referenced namespace → one example ("Type.Member uses Type") for messages.</summary>
    public static Dictionary<string, Dictionary<string, string>> NamespaceGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var owner = Outermost(type);
            var from = owner.Namespace;
            if (from is null || !from.StartsWith(Root, StringComparison.Ordinal)) continue;
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new(StringComparer.Ordinal);
            foreach (var (used, where) in References(type))
                foreach (var t in Expand(used))
                {
                    if (t.Assembly != assembly) continue;
                    var to = Outermost(t).Namespace;
                    if (to is null || to == from || !to.StartsWith(Root, StringComparison.Ordinal)) continue;
                    edges.TryAdd(to, $"{owner.Name}{where} uses {Outermost(t).Name}");
                }
        }
        return graph;
    }

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType is { } d) t = d;
        return t;
    }

    /// <summary>The type itself, its element type and generic arguments, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? t)
    {
        if (t is null || t.IsGenericParameter) yield break;
        if (t.HasElementType)
        {
            foreach (var e in Expand(t.GetElementType())) yield return e;
            yield break;
        }
        yield return t.IsGenericType ? t.GetGenericTypeDefinition() : t;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments())
                foreach (var e in Expand(a)) yield return e;
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<(Type Used, string Where)> References(Type type)
    {
        if (type.BaseType is { } b) yield return (b, " (base)");
        foreach (var i in type.GetInterfaces()) yield return (i, " (interface)");
        foreach (var a in type.GetCustomAttributesData()) yield return (a.AttributeType, " (attribute)");
        foreach (var f in type.GetFields(Declared)) yield return (f.FieldType, "." + f.Name);
        foreach (var p in type.GetProperties(Declared)) yield return (p.PropertyType, "." + p.Name);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) yield return (mi.ReturnType, "." + m.Name);
            foreach (var p in m.GetParameters()) yield return (p.ParameterType, "." + m.Name);
            foreach (var used in BodyReferences(m)) yield return (used, "." + m.Name + " (body)");
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Types named by the method body's IL: locals, calls, field accesses, casts, newobj, ldtoken.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        var il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            var size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, pos);
                var member = module.ResolveMember(token, typeArgs, methodArgs);
                switch (member)
                {
                    case Type t:
                        yield return t;
                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is { } fd) yield return fd;
                        yield return f.FieldType;
                        break;
                    case MethodBase mb:
                        if (mb.DeclaringType is { } md) yield return md;
                        if (mb is MethodInfo { IsGenericMethod: true } g)
                            foreach (var a in g.GetGenericArguments()) yield return a;
                        break;
                }
            }
            pos += size;
        }
    }
}
