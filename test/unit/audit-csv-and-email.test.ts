/** Pure rules: CSV cells safe to open in a spreadsheet, the shared email check, and the wording of validation problems. */
import { csvCell, csvRow } from "../../src/audit/audit-csv";
import { emailProblem } from "../../src/accounts/email-address";
import { fieldLabel, problemSentences } from "../../src/errors";

describe("CSV cells", () => {
  it.each([["=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""], ["+1+2", "\"'+1+2\""], ["-2+3", "\"'-2+3\""],
    ["@SUM(A1)", "\"'@SUM(A1)\""], ["\t=1", "\"'\t=1\""], ["\r=1", "\"'\r=1\""]])("defuses %j", (input, out) => {
    expect(csvCell(input)).toBe(out);
  });
  it("quotes everything, doubles quotes, keeps newlines inside the quotes, and writes objects as JSON", () => {
    expect(csvCell("plain")).toBe("\"plain\"");
    expect(csvCell("a \"b\", c\nd")).toBe("\"a \"\"b\"\", c\nd\"");
    expect(csvCell(null)).toBe("\"\"");
    expect(csvCell({ role: "admin" })).toBe("\"{\"\"role\"\":\"\"admin\"\"}\"");
    expect(csvRow(["a", 1])).toBe("\"a\",\"1\"\r\n");
  });
});

describe("email addresses as a mail server takes them", () => {
  it.each(["ann@example.com", "a.b+tag@sub.example.co.uk", `${"l".repeat(64)}@example.com`, `a@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(57)}.io`.slice(0, 254)])("accepts %s", (e) => {
    expect(emailProblem(e)).toBeUndefined();
  });
  it("refuses a local part over 64, a whole over 254, spaces and control characters, with a reason", () => {
    expect(emailProblem(`${"l".repeat(65)}@example.com`)).toBe("can have at most 64 characters before the @");
    expect(emailProblem(`a@${"d".repeat(62)}.${"d".repeat(62)}.${"d".repeat(62)}.${"d".repeat(62)}.com`)).toBe("can be at most 254 characters");
    expect(emailProblem("ann smith@example.com")).toBe("cannot contain spaces or control characters");
    expect(emailProblem("ann@example.com\n")).toBe("cannot contain spaces or control characters");
    expect(emailProblem("ann\u0007@example.com")).toBe("cannot contain spaces or control characters");
    expect(emailProblem("ann\u00a0@example.com")).toBe("cannot contain spaces or control characters");
    for (const bad of ["ann", "@example.com", "ann@", "ann@localhost", "a..b@example.com", "ann@-x.com", "ann@example.c0m"]) {
      expect(emailProblem(bad)).toMatch(/^must be a valid email address/);
    }
    expect(emailProblem("")).toBe("is required");
  });
});

describe("validation sentences", () => {
  it("names fields as people read them, never the API path", () => {
    expect(fieldLabel("chatbotPermissions.0.chatbotId")).toBe("Chatbot");
    expect(fieldLabel("query.affected")).toBe("Person affected");
    expect(fieldLabel("someNewField")).toBe("Some new field");
    expect(problemSentences([{ field: "name", message: "can be at most 200 characters" }, { field: "email", message: "is required" }]))
      .toBe("Name can be at most 200 characters. Email is required.");
  });
});
