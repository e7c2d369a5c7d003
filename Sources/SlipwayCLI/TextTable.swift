/// Columns aligned as kubectl prints them: upper-case headers, each column as wide as its
/// widest cell, three spaces between columns, no trailing spaces.
/// After k8s.io/cli-runtime/pkg/printers `tablePrinter` (tabwriter with padding 3).
public struct TextTable: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as text; `style` colours cells chosen by `colour` (the widths ignore the escapes).
    public func render(style: TerminalStyle = .plain, colour: (_ column: String, _ cell: String) -> TerminalStyle.Colour? = { _, _ in nil }) -> String {
        let columns = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.prefix(columns).enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], header: Bool) -> String {
            var text = ""
            for index in 0..<columns {
                let cell = index < cells.count ? cells[index] : ""
                let painted = header ? cell : (colour(headers[index], cell).map { style.paint(cell, $0) } ?? cell)
                text += painted
                if index < columns - 1 { text += String(repeating: " ", count: widths[index] - cell.count + 3) }
            }
            return text
        }
        var lines = [line(headers, header: true)]
        for row in rows { lines.append(line(row, header: false)) }
        return lines.map { trimmedTrailing($0) }.joined(separator: "\n") + "\n"
    }

    private func trimmedTrailing(_ text: String) -> String {
        var text = Substring(text)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
