package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** GraphML parsed by the JDK's XML parser: keys declared and typed, node and edge counts, attribute values. */
class GraphMlTest {
    static final String NS = "http://graphml.graphdrawing.org/xmlns";

    @Test
    void parsesWithDeclaredKeysAndTheCircuitsCounts(@TempDir Path tmp) throws Exception {
        ExportFixture f = new ExportFixture(tmp, 4);
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(GraphMl.write(f.graph).getBytes(StandardCharsets.UTF_8)));
        assertEquals("graphml", doc.getDocumentElement().getLocalName());
        assertEquals(NS, doc.getDocumentElement().getNamespaceURI());

        Map<String, String> keyFor = new HashMap<>(), keyName = new HashMap<>();
        NodeList keys = doc.getElementsByTagNameNS(NS, "key");
        for (int i = 0; i < keys.getLength(); i++) {
            Element k = (Element) keys.item(i);
            assertTrue(Set.of("int", "double", "string", "boolean").contains(k.getAttribute("attr.type")), k.getAttribute("id"));
            assertTrue(keyFor.put(k.getAttribute("id"), k.getAttribute("for")) == null, "key ids are unique");
            keyName.put(k.getAttribute("id"), k.getAttribute("attr.name"));
        }
        Element graph = (Element) doc.getElementsByTagNameNS(NS, "graph").item(0);
        assertEquals("directed", graph.getAttribute("edgedefault"));

        NodeList nodes = doc.getElementsByTagNameNS(NS, "node"), edges = doc.getElementsByTagNameNS(NS, "edge");
        assertEquals(f.circuit.nodes(), nodes.getLength());
        assertEquals(f.circuit.edges().size(), edges.getLength());
        Set<String> ids = new HashSet<>();
        Map<String, Map<String, String>> attrs = new HashMap<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element n = (Element) nodes.item(i);
            Map<String, String> a = data(n, keyFor, keyName, "node");
            for (String must : new String[] {"layer", "location", "sublocation", "hook", "channel", "kept", "mean"}) {
                assertTrue(a.containsKey(must), n.getAttribute("id") + " has " + must);
            }
            assertTrue(ids.add(n.getAttribute("id")));
            attrs.put(n.getAttribute("id"), a);
        }
        for (int i = 0; i < edges.getLength(); i++) {
            Element e = (Element) edges.item(i);
            assertTrue(ids.contains(e.getAttribute("source")) && ids.contains(e.getAttribute("target")), "edge ends are nodes");
            Map<String, String> a = data(e, keyFor, keyName, "edge");
            assertEquals(f.graph.links().get(i).weight(), Float.parseFloat(a.get("weight")));
            assertEquals(f.graph.links().get(i).type(), a.get("type"));
        }
        Map<String, String> q = attrs.get(f.first("0.attn.q"));
        assertEquals(ExportFixture.AWKWARD, q.get("label"), "markup characters in a label survive");
        assertEquals("q", q.get("sublocation"));
        assertEquals(Integer.toString(ExportFixture.channel(f.first("0.attn.q")) / 8), q.get("head"));
        assertEquals("line one\nline two", attrs.get(f.first("1.mlp.post_act")).get("label"));
    }

    /** The data children of an element by attribute name, each referring to a key declared for its domain. */
    private static Map<String, String> data(Element el, Map<String, String> keyFor, Map<String, String> keyName, String domain) {
        Map<String, String> m = new HashMap<>();
        NodeList ds = el.getElementsByTagNameNS(NS, "data");
        for (int i = 0; i < ds.getLength(); i++) {
            Element d = (Element) ds.item(i);
            String key = d.getAttribute("key");
            assertEquals(domain, keyFor.get(key), "data key " + key + " is declared for " + domain);
            m.put(keyName.get(key), d.getTextContent());
        }
        return m;
    }
}
