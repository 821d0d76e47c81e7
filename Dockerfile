FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY engine engine
COPY web web
COPY tasks tasks
COPY processes processes
COPY migrations migrations
RUN pip install --no-cache-dir . && useradd --create-home complaints
USER complaints
EXPOSE 5000
CMD ["complaints", "serve", "--host", "0.0.0.0", "--port", "5000"]
