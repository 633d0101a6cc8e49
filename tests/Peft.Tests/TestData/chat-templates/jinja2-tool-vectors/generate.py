"""Renders the real templates in ../templates with tool-calling conversations, using Jinja2 configured exactly as
transformers 4.46's apply_chat_template configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
loopcontrols, tojson = json.dumps(ensure_ascii=False), raise_exception, strftime_now with a fixed clock, and the
context messages, tools, documents, add_generation_prompt, special tokens, extra kwargs).

Run with:  python3 generate.py > vectors.json      (needs Jinja2 3.1)
"""
import json, os, sys
from datetime import datetime
import jinja2
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

CLOCK = datetime(2025, 3, 7, 9, 5, 3)

class AssistantTracker(Extension):
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_support"), [], [], body).set_lineno(lineno)
    def _support(self, caller):
        return caller()

def raise_exception(message):
    raise TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

def env():
    e = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])
    e.filters["tojson"] = tojson
    e.globals["raise_exception"] = raise_exception
    e.globals["strftime_now"] = lambda fmt: CLOCK.strftime(fmt)
    return e

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name, e.g. Zürich"},
                                                           "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                          "required": ["city"]}}}
CALL = {"role": "assistant", "content": None, "tool_calls": [{"id": "call12345", "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}]}
CALL_STR = {"role": "assistant", "content": None, "tool_calls": [{"id": "call12345", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}}]}
RESULT = {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "{\"temperature\": 21.5, \"sky\": \"clear\"}"}
USER = {"role": "user", "content": "What's the weather in Zürich?"}
FINAL = {"role": "assistant", "content": "It is 21.5 °C and clear."}

SPECIAL = {
    "meta-llama-Llama-3.1-8B-Instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "Qwen-Qwen2.5-7B-Instruct.jinja": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "mistralai-Mistral-Nemo-Instruct-2407.jinja": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "openvino.genai__mistralai-Mistral-7B-Instruct-v0.3.jinja": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
    "ibm-granite-granite-3.3-2B-Instruct.jinja": {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>"},
}

SCENARIOS = [
    # (template, id, messages, tools, documents, add_generation_prompt, extra kwargs)
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", "tools_in_user_message", [USER], [WEATHER], None, True, {}),
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", "tools_in_system_message", [{"role": "system", "content": "  Be concise.  "}, USER], [WEATHER], None, True, {"tools_in_user_message": False}),
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", "tool_call_and_result", [USER, CALL, RESULT], [WEATHER], None, True, {}),
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", "builtin_tools", [USER, {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "brave_search", "arguments": {"query": "weather Zürich"}}}]}, {"role": "ipython", "content": {"results": [1, 2]}}], None, None, True, {"builtin_tools": ["brave_search", "code_interpreter"], "date_string": "07 Mar 2025"}),
    ("meta-llama-Llama-3.1-8B-Instruct.jinja", "two_tool_calls_rejected", [USER, {"role": "assistant", "content": None, "tool_calls": [CALL["tool_calls"][0], CALL["tool_calls"][0]]}], None, None, False, {}),
    ("Qwen-Qwen2.5-7B-Instruct.jinja", "tools_and_call", [USER, CALL, RESULT, RESULT, FINAL], [WEATHER], None, True, {}),
    ("Qwen-Qwen2.5-7B-Instruct.jinja", "tools_with_system", [{"role": "system", "content": "You are a weather bot."}, USER], [WEATHER, {"type": "function", "function": {"name": "noop", "parameters": {}}}], None, True, {}),
    ("mistralai-Mistral-Nemo-Instruct-2407.jinja", "tools_and_call", [{"role": "system", "content": "Sys"}, USER, CALL, RESULT, FINAL, {"role": "user", "content": "Thanks"}], [WEATHER], None, False, {}),
    ("mistralai-Mistral-Nemo-Instruct-2407.jinja", "bad_tool_call_id", [USER, {"role": "assistant", "content": None, "tool_calls": [{"id": "x", "function": {"name": "f", "arguments": {}}}]}], None, None, False, {}),
    ("openvino.genai__mistralai-Mistral-7B-Instruct-v0.3.jinja", "tools_and_call", [USER, CALL, RESULT, FINAL, {"role": "user", "content": "And tomorrow?"}], [WEATHER], None, False, {}),
    ("deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", "tool_calls_and_outputs", [{"role": "system", "content": "Sys"}, USER, CALL_STR, RESULT, RESULT, {"role": "assistant", "content": "<think>hmm</think>Clear skies."}], None, None, True, {}),
    ("ibm-granite-granite-3.3-2B-Instruct.jinja", "tools_documents_controls", [USER], [WEATHER], [{"doc_id": 1, "text": "Zürich is in Switzerland."}, {"doc_id": "b", "text": "Weather varies."}], True, {"controls": {"citations": True, "length": "short"}}),
    ("ibm-granite-granite-3.3-2B-Instruct.jinja", "thinking", [USER], None, None, True, {"thinking": True}),
]

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    e = env()
    out = []
    for template_file, sid, messages, tools, documents, agp, extra in SCENARIOS:
        source = open(os.path.join(here, "..", "templates", template_file), encoding="utf-8").read()
        special = SPECIAL[template_file]
        context = dict(messages=messages, tools=tools, documents=documents, add_generation_prompt=agp)
        context.update(special)
        context.update(extra)
        entry = {"template_file": template_file, "scenario": sid, "special_tokens": special, "messages": messages,
                 "tools": tools, "documents": documents, "add_generation_prompt": agp, "extra_context": extra}
        try:
            entry["expected_output"] = e.from_string(source).render(**context)
        except TemplateError as ex:
            entry["expected_error"] = str(ex)
        out.append(entry)
    json.dump({"generator": "generate.py", "jinja2_version": jinja2.__version__, "strftime_now_clock": CLOCK.isoformat(),
               "vectors": out}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")

main()
